/*
 * buf.c — sp_buf, JSON/XML escaping and UTF-16 decoding shared by all
 * renderers.  See buf.h.
 */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <isa-l/crc.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void sp_buf_init(sp_buf *b) { memset(b, 0, sizeof *b); }
void sp_buf_init_with(sp_buf *b, char *mem, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->p = mem;
    b->cap = cap;
    b->borrowed = 1;
}
void sp_buf_fini(sp_buf *b) { if (!b->borrowed) free(b->p); memset(b, 0, sizeof *b); }

int sp_buf_grow(sp_buf *b, size_t need)
{
    if (b->failed) return -1;
    size_t want = b->len + need;
    if (want < b->len) { b->failed = 1; return -1; }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < want) {
        if (cap > SIZE_MAX / 2) { b->failed = 1; return -1; }
        cap *= 2;
    }
    char *p;
    if (b->borrowed) {
        if ((p = malloc(cap)) && b->len) memcpy(p, b->p, b->len);
    } else {
        p = realloc(b->p, cap);
    }
    if (!p) { b->failed = 1; return -1; }
    b->p = p;
    b->cap = cap;
    b->borrowed = 0;
    return 0;
}

sp_buf *sp_buf_new(void) { return calloc(1, sizeof(sp_buf)); }
void sp_buf_free(sp_buf *b) { if (b) { if (!b->borrowed) free(b->p); free(b); } }
void sp_buf_reset(sp_buf *b) { b->len = 0; b->failed = 0; }
const char *sp_buf_data(const sp_buf *b) { return b->p ? b->p : ""; }
size_t sp_buf_len(const sp_buf *b) { return b->len; }
int sp_buf_append(sp_buf *b, const void *p, size_t n)
{
    sp_buf_put(b, p, n);
    return b->failed ? SP_ERR_NOMEM : SP_OK;
}

void sp_buf_printf(sp_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) { sp_buf_put(b, tmp, (size_t)n); return; }
    if (b->len + (size_t)n + 1 > b->cap && sp_buf_grow(b, (size_t)n + 1)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static const char digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void sp_buf_put_u64(sp_buf *b, uint64_t v)
{
    /* digits counted first, then written in place from the end: no
     * temporary, no copy (most values are event ids, pids, small counts) */
    unsigned n = 1;
    for (uint64_t t = v; t >= 10; t /= 10) n++;
    if (b->len + n > b->cap && sp_buf_grow(b, n)) return;
    char *o = b->p + b->len + n;
    b->len += n;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        *--o = digits2[2 * r + 1];
        *--o = digits2[2 * r];
    }
    if (v >= 10) { *--o = digits2[2 * v + 1]; *--o = digits2[2 * v]; }
    else *--o = (char)('0' + v);
}

void sp_buf_put_i64(sp_buf *b, int64_t v)
{
    if (v < 0) { sp_buf_putc(b, '-'); sp_buf_put_u64(b, (uint64_t)0 - (uint64_t)v); }
    else sp_buf_put_u64(b, (uint64_t)v);
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
size_t sp_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;          /* overlong */
        if (c == 0xED && s[1] >= 0xA0) return 0;         /* surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;
        if (c == 0xF4 && s[1] >= 0x90) return 0;
        return 4;
    }
    return 0;
}

static const char hexd[] = "0123456789abcdef";

/* 1 for bytes that can be copied into a JSON string as they are */
static const unsigned char json_plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* 0x20: '"' is 0x22 */
    R16(1), R16(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,   /* 0x50: '\\' is 0x5c */
    R16(1), R16(1),
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
#undef R16
};

void sp_json_escape(sp_buf *b, const char *s, size_t n)
{
    if (n == 0) return;
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, i = 0;
    while (i < n) {
        while (i < n && json_plain[u[i]]) i++;
        if (i >= n) break;
        unsigned c = u[i];
        if (c >= 0x80) {
            size_t k = sp_utf8_seq_len(u + i, n - i);
            if (k) { i += k; continue; }
        }
        sp_buf_put(b, s + run, i - run);
        switch (c) {
        case '"': sp_buf_puts(b, "\\\""); break;
        case '\\': sp_buf_puts(b, "\\\\"); break;
        case '\n': sp_buf_puts(b, "\\n"); break;
        case '\r': sp_buf_puts(b, "\\r"); break;
        case '\t': sp_buf_puts(b, "\\t"); break;
        case '\b': sp_buf_puts(b, "\\b"); break;
        case '\f': sp_buf_puts(b, "\\f"); break;
        default: {
            /* control character, or a byte that is not valid UTF-8: the
             * byte value as a code point escape, never the raw byte */
            char e[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15]};
            sp_buf_put(b, e, 6);
        }
        }
        i++;
        run = i;
    }
    sp_buf_put(b, s + run, n - run);
}

void sp_xml_escape(sp_buf *b, const char *s, size_t n)
{
    if (n == 0) return;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        size_t rl;
        switch (s[i]) {
        case '&': rep = "&amp;"; rl = 5; break;
        case '<': rep = "&lt;"; rl = 4; break;
        case '>': rep = "&gt;"; rl = 4; break;
        case '"': rep = "&quot;"; rl = 6; break;
        case '\'': rep = "&apos;"; rl = 6; break;
        default: continue;
        }
        sp_buf_put(b, s + run, i - run);
        sp_buf_put(b, rep, rl);
        run = i + 1;
    }
    sp_buf_put(b, s + run, n - run);
}

size_t sp_utf16_to_utf8(sp_buf *b, const uint8_t *p, size_t nchars, int stop_nul)
{
    if (nchars == 0) return 0;
    if (b->len + nchars * 3 > b->cap && sp_buf_grow(b, nchars * 3)) return nchars;
    char *o = b->p + b->len;
    size_t i = 0;
    /* fast path: runs of 4 ASCII, non-NUL code units */
    while (i + 4 <= nchars) {
        uint64_t w;
        memcpy(&w, p + 2 * i, 8);
        if (w & 0xff80ff80ff80ff80ull) break;
        if (!((w & 0xffff) && (w & 0xffff0000ull) && (w & 0xffff00000000ull) && (w >> 48))) break;
        o[0] = (char)w; o[1] = (char)(w >> 16); o[2] = (char)(w >> 32); o[3] = (char)(w >> 48);
        o += 4;
        i += 4;
    }
    for (; i < nchars; i++) {
        unsigned c = sp_le16(p + 2 * i);
        if (c < 0x80) {
            if (c == 0 && stop_nul) break;
            *o++ = (char)c;
        } else if (c < 0x800) {
            *o++ = (char)(0xC0 | (c >> 6));
            *o++ = (char)(0x80 | (c & 0x3F));
        } else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < nchars &&
                   sp_le16(p + 2 * i + 2) >= 0xDC00 && sp_le16(p + 2 * i + 2) <= 0xDFFF) {
            unsigned lo = sp_le16(p + 2 * i + 2);
            unsigned cp = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
            *o++ = (char)(0xF0 | (cp >> 18));
            *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (char)(0x80 | (cp & 0x3F));
            i++;
        } else {
            if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD; /* lone surrogate */
            *o++ = (char)(0xE0 | (c >> 12));
            *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        }
    }
    b->len = (size_t)(o - b->p);
    return i;
}

#if defined(__SSE2__)
/* eight UTF-16 units that are all plain for JSON: ASCII, not a control
 * character, quote or backslash */
static inline int plain8(__m128i v)
{
    __m128i high = _mm_and_si128(v, _mm_set1_epi16((short)0xff80));
    __m128i bad = _mm_or_si128(_mm_cmpgt_epi16(_mm_set1_epi16(0x20), v),
                               _mm_or_si128(_mm_cmpeq_epi16(v, _mm_set1_epi16('"')),
                                            _mm_cmpeq_epi16(v, _mm_set1_epi16('\\'))));
    bad = _mm_or_si128(bad, _mm_xor_si128(_mm_cmpeq_epi16(high, _mm_setzero_si128()), _mm_set1_epi16(-1)));
    return !_mm_movemask_epi8(bad);
}
#endif

size_t sp_utf16_to_json(sp_buf *b, const uint8_t *p, size_t nchars)
{
    if (nchars == 0) return 0;
    /* worst case: a control character becomes \u00XX (6 bytes) */
    if (b->len + nchars * 6 > b->cap && sp_buf_grow(b, nchars * 6)) return nchars;
    char *o = b->p + b->len;
    size_t i = 0;
#if defined(__SSE2__)
    size_t scalar_to = 0;   /* after a block that needs care, go char by char to here */
#endif
    while (i < nchars) {
#if defined(__SSE2__)
        /* eight plain ASCII characters at a time (measured on big64.evtx:
         * `evtx dump` 46.7 -> 45.0 ms task-clock, output byte-identical) */
        if (i >= scalar_to && i + 8 <= nchars) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i));
            if (plain8(v)) {
                _mm_storel_epi64((__m128i *)(void *)o, _mm_packus_epi16(v, v));
                o += 8;
                i += 8;
                continue;
            }
            scalar_to = i + 8;
        } else if (i >= scalar_to && nchars >= 8 && i + 8 > nchars && i < nchars) {
            /* the tail: the last eight characters again, overlapping what
             * is already written (same bytes), when they are all plain */
            size_t from = nchars - 8;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * from));
            if (plain8(v)) {
                _mm_storel_epi64((__m128i *)(void *)(o - (i - from)), _mm_packus_epi16(v, v));
                o += nchars - i;
                i = nchars;
                continue;
            }
            scalar_to = nchars;
        }
#endif
        unsigned c = sp_le16(p + 2 * i);
        if (c < 0x80) {
            if (json_plain[c]) { *o++ = (char)c; i++; continue; }
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            default:
                *o++ = 'u'; *o++ = '0'; *o++ = '0';
                *o++ = hexd[c >> 4]; *o++ = hexd[c & 15];
            }
            i++;
            continue;
        }
        b->len = (size_t)(o - b->p);
        /* non-ASCII: the UTF-8 encoder handles surrogates; its output is
         * valid UTF-8 and needs no escaping */
        size_t k = i + 1;
        while (k < nchars && sp_le16(p + 2 * k) >= 0x80) k++;
        sp_utf16_to_utf8(b, p + 2 * i, k - i, 0);
        if (b->failed) return nchars;
        o = b->p + b->len;
        i = k;
    }
    b->len = (size_t)(o - b->p);
    return nchars;
}

void sp_json_sanitize(sp_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = u[i];
        if (!in_str) {
            if (c == '"') in_str = 1;
            else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                /* white space between tokens: dropped, so the value fits one line */
                sp_buf_put(b, s + run, i - run);
                run = i + 1;
            }
            continue;
        }
        if (c == '\\') { i++; continue; }              /* keep escapes as they are */
        if (c == '"') { in_str = 0; continue; }
        if (c >= 0x20 && c < 0x80) continue;
        if (c >= 0x80) {
            size_t k = sp_utf8_seq_len(u + i, n - i);
            if (k) { i += k - 1; continue; }
        }
        sp_buf_put(b, s + run, i - run);
        char e[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15]};
        sp_buf_put(b, e, 6);
        run = i + 1;
    }
    sp_buf_put(b, s + run, n - run);
}

/* CRC-32 (IEEE, reflected: zlib's and EVTX's) through ISA-L, which picks
 * a PCLMULQDQ / AVX-512 folding kernel at run time.  zlib 1.2.13's crc32()
 * was 12% of `spoor evtx dump` (every chunk's data is checksummed); ISA-L's
 * is ~1% (bench/bench_evtx.sh, docs/performance.md). */
uint32_t sp_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    return crc32_gzip_refl(crc, p, (uint64_t)n);
}

const char *sp_status_str(sp_status s)
{
    switch (s) {
    case SP_OK: return "ok";
    case SP_ERR_IO: return "I/O error";
    case SP_ERR_FORMAT: return "unrecognised format";
    case SP_ERR_NOMEM: return "out of memory";
    case SP_ERR_LIMIT: return "limit exceeded";
    case SP_ERR_ARG: return "invalid argument";
    case SP_ERR_ABORT: return "aborted";
    }
    return "unknown status";
}
