#ifndef CARCHIVE_SHIM_H
#define CARCHIVE_SHIM_H

/* libarchive: the readers of zip, tar, 7z and cpio and the gzip, bzip2, xz and zstd filters that
   patrol opens archives and compressed files with. */
#include <archive.h>
#include <archive_entry.h>

/* AE_IFREG is a cast macro that does not import into Swift. */
static inline unsigned int carchive_regular_file_type(void) { return (unsigned int)AE_IFREG; }

#endif
