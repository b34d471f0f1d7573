/*
 * io.h — whole-buffer writes to a descriptor, for the layers that write
 * files or output without stdio.
 */
#ifndef SP_BASE_IO_H
#define SP_BASE_IO_H

#include <stddef.h>

/* Write all n bytes of p to fd, resuming after EINTR and short writes.
 * 0, or -1 with errno set (a write that makes no progress is EIO). */
int sp_write_all(int fd, const void *p, size_t n);

#endif
