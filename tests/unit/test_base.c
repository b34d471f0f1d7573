/* test_base.c — byte buffers, escaping, UTF-16, arena, time formatting. */
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>
#include "base/arena.h"
#include "base/buf.h"

static const char *esc_json(sp_buf *b, const char *s, size_t n)
{
    sp_buf_reset(b);
    sp_json_escape(b, s, n);
    sp_buf_putc(b, 0);
    return b->p;
}

TEST(json_escape_controls_quotes_backslash)
{
    sp_buf b;
    sp_buf_init(&b);
    CHECK_STR(esc_json(&b, "a\"b\\c", 5), "a\\\"b\\\\c");
    CHECK_STR(esc_json(&b, "x\ny\r\t", 5), "x\\ny\\r\\t");
    CHECK_STR(esc_json(&b, "\x01\x1f", 2), "\\u0001\\u001f");
    const char nul[] = {'a', 0, 'b'};
    CHECK_STR(esc_json(&b, nul, 3), "a\\u0000b");
    sp_buf_fini(&b);
}

TEST(json_escape_invalid_utf8_never_raw)
{
    sp_buf b;
    sp_buf_init(&b);
    /* valid multi-byte passes through; invalid bytes are escaped */
    CHECK_STR(esc_json(&b, "\xc3\xa9", 2), "\xc3\xa9");
    CHECK_STR(esc_json(&b, "\xff\xfe", 2), "\\u00ff\\u00fe");
    CHECK_STR(esc_json(&b, "\xc3", 1), "\\u00c3");              /* truncated sequence */
    CHECK_STR(esc_json(&b, "\xed\xa0\x80", 3), "\\u00ed\\u00a0\\u0080"); /* UTF-8 surrogate */
    CHECK_STR(esc_json(&b, "\xc0\xaf", 2), "\\u00c0\\u00af");   /* overlong */
    sp_buf_fini(&b);
}

TEST(xml_escape)
{
    sp_buf b;
    sp_buf_init(&b);
    sp_xml_escape(&b, "<a href=\"x\">&'", 14);
    sp_buf_putc(&b, 0);
    CHECK_STR(b.p, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    sp_buf_fini(&b);
}

TEST(utf16_to_utf8)
{
    sp_buf b;
    sp_buf_init(&b);
    /* "A", U+00E9, U+2603, U+1F600 (surrogate pair), lone high surrogate, "Z" */
    const uint8_t u[] = {'A', 0, 0xe9, 0, 0x03, 0x26, 0x3d, 0xd8, 0x00, 0xde, 0x3d, 0xd8, 'Z', 0};
    size_t n = sp_utf16_to_utf8(&b, u, 7, 0);
    CHECK_EQ_INT(n, 7);
    sp_buf_putc(&b, 0);
    CHECK_STR(b.p, "A\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80\xef\xbf\xbdZ");
    /* stop at NUL */
    sp_buf_reset(&b);
    const uint8_t v[] = {'a', 0, 'b', 0, 0, 0, 'c', 0, 'd', 0, 'e', 0};
    CHECK_EQ_INT(sp_utf16_to_utf8(&b, v, 6, 1), 2);
    CHECK_EQ_INT(b.len, 2);
    /* the ASCII fast path agrees with the slow path on long input */
    sp_buf_reset(&b);
    uint8_t w[64];
    for (int i = 0; i < 32; i++) { w[2 * i] = (uint8_t)('a' + i % 26); w[2 * i + 1] = 0; }
    w[2 * 17] = 0xe9;
    sp_utf16_to_utf8(&b, w, 32, 0);
    CHECK_EQ_INT(b.len, 33);
    sp_buf_fini(&b);
}

TEST(buf_numbers)
{
    sp_buf b;
    sp_buf_init(&b);
    sp_buf_put_u64(&b, 0);
    sp_buf_putc(&b, ' ');
    sp_buf_put_u64(&b, UINT64_MAX);
    sp_buf_putc(&b, ' ');
    sp_buf_put_i64(&b, INT64_MIN);
    sp_buf_putc(&b, 0);
    CHECK_STR(b.p, "0 18446744073709551615 -9223372036854775808");
    sp_buf_fini(&b);
}

TEST(arena_alignment_and_reset)
{
    sp_arena a;
    sp_arena_init(&a, 1024);
    char *p = sp_arena_alloc(&a, 3);
    char *q = sp_arena_alloc(&a, 5000);   /* larger than a block */
    char *r = sp_arena_alloc(&a, 8);
    CHECK(p && q && r);
    CHECK(((uintptr_t)p & 15) == 0 && ((uintptr_t)q & 15) == 0 && ((uintptr_t)r & 15) == 0);
    memset(q, 0xab, 5000);
    sp_arena_reset(&a);
    char *s = sp_arena_zalloc(&a, 100);
    CHECK(s && s[0] == 0 && s[99] == 0);
    sp_arena_fini(&a);
}

TEST(filetime_iso)
{
    char buf[40];
    /* 2016-07-08T18:12:51.681640Z, as evtx_dump prints it (microseconds, truncated) */
    uint64_t ft = 131124751716816405ull;
    CHECK_EQ_INT(sp_filetime_iso(ft, buf, sizeof buf), 27);
    CHECK_STR(buf, "2016-07-08T18:12:51.681640Z");
    sp_filetime_iso(0, buf, sizeof buf);
    CHECK_STR(buf, "1601-01-01T00:00:00.000000Z");
    /* leap day */
    sp_filetime_iso(116444736000000000ull + (uint64_t)(951782400) * 10000000ull, buf, sizeof buf);
    CHECK_STR(buf, "2000-02-29T00:00:00.000000Z");
    CHECK_EQ_INT(sp_filetime_iso(ft, buf, 10), 0); /* too small: nothing, no overflow */
}

/* the 8-at-a-time path and the char-by-char path must agree wherever the
 * characters that need care fall: compare against a plain reference */
static void ref_utf16_json(sp_buf *b, const uint16_t *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = u[i];
        if (c == '"') sp_buf_puts(b, "\\\"");
        else if (c == '\\') sp_buf_puts(b, "\\\\");
        else if (c == '\n') sp_buf_puts(b, "\\n");
        else if (c == '\r') sp_buf_puts(b, "\\r");
        else if (c == '\t') sp_buf_puts(b, "\\t");
        else if (c == '\b') sp_buf_puts(b, "\\b");
        else if (c == '\f') sp_buf_puts(b, "\\f");
        else if (c < 0x20) sp_buf_printf(b, "\\u%04x", c);
        else if (c < 0x80) sp_buf_putc(b, (char)c);
        else if (c < 0x800) { sp_buf_putc(b, (char)(0xc0 | (c >> 6))); sp_buf_putc(b, (char)(0x80 | (c & 63))); }
        else {
            sp_buf_putc(b, (char)(0xe0 | (c >> 12)));
            sp_buf_putc(b, (char)(0x80 | ((c >> 6) & 63)));
            sp_buf_putc(b, (char)(0x80 | (c & 63)));
        }
    }
}

TEST(utf16_to_json_blocks_agree_with_reference)
{
    static const uint16_t specials[] = {'"', '\\', '\n', 0x01, 0x1f, 0x7f, 0x80, 0xe9, 0x2603, 0x20, 0xff20};
    sp_buf got, want;
    sp_buf_init(&got);
    sp_buf_init(&want);
    uint16_t u[40];
    uint8_t le[80];
    for (size_t len = 0; len <= 40; len++)
        for (size_t pos = 0; pos < len; pos++)
            for (size_t k = 0; k < sizeof specials / sizeof *specials; k++) {
                for (size_t i = 0; i < len; i++) u[i] = (uint16_t)('a' + (i % 26));
                u[pos] = specials[k];
                if (pos + 9 < len) u[pos + 9] = specials[(k + 1) % (sizeof specials / sizeof *specials)];
                for (size_t i = 0; i < len; i++) { le[2 * i] = (uint8_t)(u[i] & 0xff); le[2 * i + 1] = (uint8_t)(u[i] >> 8); }
                sp_buf_reset(&got);
                sp_buf_reset(&want);
                sp_utf16_to_json(&got, le, len);
                ref_utf16_json(&want, u, len);
                CHECK(got.len == want.len && (!got.len || !memcmp(got.p, want.p, got.len)));
            }
    sp_buf_fini(&got);
    sp_buf_fini(&want);
}

/* sp_crc32 (ISA-L) gives zlib's CRC-32 for every length and alignment, and
 * chains like it (the EVTX chunk header CRC is computed in two pieces) */
TEST(base_crc32_matches_zlib)
{
    static uint8_t data[5000];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof data; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; data[i] = (uint8_t)x; }
    static const size_t lens[] = {0, 1, 3, 15, 16, 17, 63, 64, 65, 127, 255, 256, 511, 1000, 4096, 4999};
    for (size_t a = 0; a < 9; a++)
        for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
            size_t n = lens[k];
            if (a + n > sizeof data) continue;
            CHECK_EQ_INT(sp_crc32(0, data + a, n), (uint32_t)crc32(0, data + a, (uInt)n));
            size_t h = n / 3;
            CHECK_EQ_INT(sp_crc32(sp_crc32(0, data + a, h), data + a + h, n - h), (uint32_t)crc32(0, data + a, (uInt)n));
        }
    CHECK_EQ_INT(sp_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
}

/* a buffer that starts in the caller's memory moves to the heap when it grows */
TEST(base_buf_borrowed_memory)
{
    char mem[8];
    sp_buf b;
    sp_buf_init_with(&b, mem, sizeof mem);
    sp_buf_puts(&b, "abcdef");
    CHECK(b.p == mem);
    sp_buf_puts(&b, "ghijklmnop");
    CHECK(b.p != mem);
    CHECK_EQ_INT((long long)b.len, 16);
    CHECK(!memcmp(b.p, "abcdefghijklmnop", 16));
    CHECK(!b.borrowed);
    sp_buf_fini(&b);
    sp_buf_init_with(&b, mem, sizeof mem);
    sp_buf_puts(&b, "xy");
    sp_buf_fini(&b);                 /* never frees the caller's memory */
    CHECK(b.p == NULL);
}
