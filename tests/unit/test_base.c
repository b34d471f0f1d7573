/* test_base.c — byte buffers, escaping, UTF-16, arena, time formatting. */
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
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
