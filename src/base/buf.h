/*
 * buf.h — growable byte buffer (the struct behind the public sp_buf) and the
 * text helpers every renderer shares: JSON string escaping, UTF-16LE to UTF-8.
 *
 * An sp_buf owns its memory.  Appends grow it geometrically; on allocation
 * failure the buffer is marked failed, further appends are ignored and
 * sp_buf_failed() tells the caller (checked once at the end of a render).
 */
#ifndef SP_BUF_H
#define SP_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "spoor.h"

struct sp_buf {
    char *p;
    size_t len, cap;
    int failed;
    int borrowed;               /* p is the caller's (stack) memory: never freed */
};

int sp_buf_grow(sp_buf *b, size_t need);
void sp_buf_init(sp_buf *b);
/* Start in the caller's memory (e.g. a stack array of cap bytes); the first
 * growth past it moves to the heap.  sp_buf_fini as usual. */
void sp_buf_init_with(sp_buf *b, char *mem, size_t cap);
void sp_buf_fini(sp_buf *b);
static inline int sp_buf_failed(const sp_buf *b) { return b->failed; }

static inline void sp_buf_put(sp_buf *b, const void *s, size_t n)
{
    if (n == 0) return;
    if (b->len + n > b->cap && sp_buf_grow(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}
static inline void sp_buf_putc(sp_buf *b, char c)
{
    if (b->len + 1 > b->cap && sp_buf_grow(b, 1)) return;
    b->p[b->len++] = c;
}
/* string literals only ("" lit refuses anything else at compile time) */
#define sp_buf_puts(b, lit) sp_buf_put((b), "" lit, sizeof(lit) - 1)
void sp_buf_printf(sp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sp_buf_put_u64(sp_buf *b, uint64_t v);
void sp_buf_put_i64(sp_buf *b, int64_t v);

/* Append `s` (UTF-8, possibly invalid) as the inside of a JSON string:
 * quotes, backslash and control characters escaped; invalid UTF-8 bytes
 * become \u00XX escapes of U+FFFD-free form "\\xNN"-safe: each invalid byte
 * is written as the escape \u00NN so no raw invalid byte reaches output. */
void sp_json_escape(sp_buf *b, const char *s, size_t n);
/* Append `s` escaped for XML text or attribute content (& < > " '). */
void sp_xml_escape(sp_buf *b, const char *s, size_t n);

/* Convert `nchars` UTF-16LE code units at `p` to UTF-8, appended to `b`.
 * Stops at the first NUL when `stop_nul`.  Lone surrogates become U+FFFD.
 * Returns the number of code units consumed. */
size_t sp_utf16_to_utf8(sp_buf *b, const uint8_t *p, size_t nchars, int stop_nul);

/* Little-endian reads (unaligned-safe). */
static inline uint16_t sp_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t sp_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t sp_le64(const uint8_t *p) { return sp_le32(p) | ((uint64_t)sp_le32(p + 4) << 32); }

/* The same, escaped for the inside of a JSON string, in one pass (no NUL
 * stop: NULs become \u0000). */
size_t sp_utf16_to_json(sp_buf *b, const uint8_t *p, size_t nchars);

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
size_t sp_utf8_seq_len(const unsigned char *s, size_t n);
/* Copy JSON text `s` (already valid JSON syntax) on one line: white space
 * between tokens dropped; inside strings, raw control characters and bytes
 * that are not UTF-8 escaped (as \u00XX). */
void sp_json_sanitize(sp_buf *b, const char *s, size_t n);

uint32_t sp_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif
