#ifndef CPCRE2_SHIM_H
#define CPCRE2_SHIM_H

/* The code unit width must be defined in this header: Swift importers do not see a target's
   cSettings, and pcre2.h refuses to compile without it. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>

/* PCRE2_UNSET is a cast macro that does not import into Swift. */
static inline size_t cpcre2_unset(void) { return PCRE2_UNSET; }

/* glibc declares these only under _GNU_SOURCE, which Swift's Glibc module does not set. */
extern void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
extern void *memrchr(const void *s, int c, size_t n);
/* Close-on-exec pipes for spawning git from several threads at once (also _GNU_SOURCE only). */
extern int pipe2(int pipefd[2], int flags);

#endif
