/*
 * evtx_value.c — BinXML substitution values to text.
 *
 * Three forms: VF_JSON follows the evtx crate's evtx_dump (integers and
 * booleans bare, everything else a quoted, escaped string, GUIDs upper-case
 * without braces, FILETIME as ISO 8601 with microseconds); VF_XML is the
 * same text XML-escaped; VF_TEXT is the plain UTF-8 the matcher compares.
 * Arrays (type | 0x80) are split by the caller (see bx_array_*).
 */
#include "evtx_int.h"
#include "base/civil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t bx_type_fixed_size(uint8_t type)
{
    switch (type & 0x7f) {
    case VT_I8: case VT_U8: return 1;
    case VT_I16: case VT_U16: return 2;
    case VT_I32: case VT_U32: case VT_R32: case VT_BOOL: case VT_HEX32: return 4;
    case VT_I64: case VT_U64: case VT_R64: case VT_FILETIME: case VT_HEX64: return 8;
    case VT_GUID: case VT_SYSTIME: return 16;
    default: return 0;
    }
}

int bx_type_is_bare(uint8_t type)
{
    switch (type) {
    case VT_I8: case VT_U8: case VT_I16: case VT_U16: case VT_I32: case VT_U32:
    case VT_I64: case VT_U64: case VT_R32: case VT_R64: case VT_BOOL:
        return 1;
    default:
        return 0;
    }
}

void evtx_filetime_parts(uint64_t ft, int *y, int *mo, int *d, int *h, int *mi, int *s, uint32_t *frac)
{
    /* FILETIME: 100 ns ticks since 1601-01-01 */
    uint64_t secs = ft / 10000000u;
    *frac = (uint32_t)(ft % 10000000u);
    int64_t unix_s = (int64_t)secs - 11644473600LL;
    int64_t days = unix_s >= 0 ? unix_s / 86400 : -((-unix_s + 86399) / 86400);
    int64_t rem = unix_s - days * 86400;
    /* the records of a chunk mostly share their day: remember the last */
    static _Thread_local int64_t last_days = INT64_MIN;
    static _Thread_local int ly, lmo, ld;
    if (days != last_days) {
        sp_civil_from_days(days, &ly, &lmo, &ld);
        last_days = days;
    }
    *y = ly;
    *mo = lmo;
    *d = ld;
    *h = (int)(rem / 3600);
    *mi = (int)(rem % 3600 / 60);
    *s = (int)(rem % 60);
}

static inline char *put2(char *o, unsigned v) { o[0] = (char)('0' + v / 10 % 10); o[1] = (char)('0' + v % 10); return o + 2; }

/* ISO 8601 UTC with microseconds, without printf (hot path) */
size_t sp_filetime_iso(uint64_t ft, char *buf, size_t cap)
{
    int y, mo, d, h, mi, s;
    uint32_t frac;
    if (cap < 28) { if (cap) buf[0] = 0; return 0; }
    evtx_filetime_parts(ft, &y, &mo, &d, &h, &mi, &s, &frac);
    char *o = buf;
    if (y < 0 || y > 9999) y = 9999;
    o = put2(o, (unsigned)y / 100);
    o = put2(o, (unsigned)y % 100);
    *o++ = '-'; o = put2(o, (unsigned)mo);
    *o++ = '-'; o = put2(o, (unsigned)d);
    *o++ = 'T'; o = put2(o, (unsigned)h);
    *o++ = ':'; o = put2(o, (unsigned)mi);
    *o++ = ':'; o = put2(o, (unsigned)s);
    *o++ = '.';
    unsigned us = frac / 10;
    o = put2(o, us / 10000); o = put2(o, us / 100 % 100); o = put2(o, us % 100);
    *o++ = 'Z';
    *o = 0;
    return (size_t)(o - buf);
}

static inline int is_ws(unsigned c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* The code units of a UTF-16 string value that make its text: trailing
 * NULs dropped; with `trim`, surrounding white space too, as evtx_dump does
 * (Windows pads some fields, e.g. LogonProcessName, and ends argument-less
 * command lines with a space). */
static void utf16_range(const uint8_t *p, uint32_t size, int trim, uint32_t *st, uint32_t *cnt)
{
    uint32_t c = size / 2, s = 0;
    while (c && (sp_le16(p + 2 * (c - 1)) == 0 || (trim && is_ws(sp_le16(p + 2 * (c - 1)))))) c--;
    while (trim && s < c && is_ws(sp_le16(p + 2 * s))) s++;
    *st = s;
    *cnt = c;
}

static const char HEXU[] = "0123456789ABCDEF";

/* Write the value as plain UTF-8 into b (no quoting/escaping). */
static void value_text(sp_buf *b, uint8_t type, const uint8_t *p, uint32_t size, int trim)
{
    char tmp[64];
    int n = 0;
    switch (type) {
    case VT_NULL:
        return;
    case VT_STRING: {
        uint32_t st, cnt;
        utf16_range(p, size, trim, &st, &cnt);
        sp_utf16_to_utf8(b, p + 2 * st, cnt - st, 0);
        return;
    }
    case VT_ANSI: {
        uint32_t cnt = size, st = 0;
        while (cnt && (p[cnt - 1] == 0 || (trim && is_ws(p[cnt - 1])))) cnt--;
        while (trim && st < cnt && is_ws(p[st])) st++;
        sp_buf_put(b, p + st, cnt - st);
        return;
    }
    case VT_I8: if (size >= 1) sp_buf_put_i64(b, (int8_t)p[0]); return;
    case VT_U8: if (size >= 1) sp_buf_put_u64(b, p[0]); return;
    case VT_I16: if (size >= 2) sp_buf_put_i64(b, (int16_t)sp_le16(p)); return;
    case VT_U16: if (size >= 2) sp_buf_put_u64(b, sp_le16(p)); return;
    case VT_I32: if (size >= 4) sp_buf_put_i64(b, (int32_t)sp_le32(p)); return;
    case VT_U32: if (size >= 4) sp_buf_put_u64(b, sp_le32(p)); return;
    case VT_I64: if (size >= 8) sp_buf_put_i64(b, (int64_t)sp_le64(p)); return;
    case VT_U64: if (size >= 8) sp_buf_put_u64(b, sp_le64(p)); return;
    case VT_R32: case VT_R64: {
        double v;
        if (type == VT_R32 && size >= 4) { uint32_t u = sp_le32(p); float f; memcpy(&f, &u, 4); v = f; }
        else if (type == VT_R64 && size >= 8) { uint64_t u = sp_le64(p); memcpy(&v, &u, 8); }
        else return;
        if (!isfinite(v)) { n = snprintf(tmp, sizeof tmp, "%s", isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf"); break; }
        /* shortest form that reads back the same */
        for (int prec = (type == VT_R32 ? 6 : 15); prec <= 17; prec++) {
            n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
            if (type == VT_R32 ? (float)strtod(tmp, NULL) == (float)v : strtod(tmp, NULL) == v) break;
        }
        break;
    }
    case VT_BOOL:
        if (size >= 4) { sp_buf_puts(b, ""); if (sp_le32(p)) sp_buf_puts(b, "true"); else sp_buf_puts(b, "false"); }
        else if (size >= 1) { if (p[0]) sp_buf_puts(b, "true"); else sp_buf_puts(b, "false"); }
        return;
    case VT_BINARY: case VT_EVTHANDLE:
        if (b->len + 2ull * size > b->cap && sp_buf_grow(b, 2ull * size)) return;
        for (uint32_t i = 0; i < size; i++) {
            b->p[b->len++] = HEXU[p[i] >> 4];
            b->p[b->len++] = HEXU[p[i] & 15];
        }
        return;
    case VT_GUID: {
        if (size < 16) return;
        /* Data1-3 little-endian, Data4 as bytes; upper case, no braces */
        static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
        char *o = tmp;
        for (int k = 0; k < 16; k++) {
            if (k == 4 || k == 6 || k == 8 || k == 10) *o++ = '-';
            *o++ = HEXU[p[order[k]] >> 4];
            *o++ = HEXU[p[order[k]] & 15];
        }
        n = (int)(o - tmp);
        break;
    }
    case VT_SIZET:
        if (size == 4) n = snprintf(tmp, sizeof tmp, "0x%08x", sp_le32(p));
        else if (size >= 8) n = snprintf(tmp, sizeof tmp, "0x%016llx", (unsigned long long)sp_le64(p));
        break;
    case VT_FILETIME:
        if (size >= 8) n = (int)sp_filetime_iso(sp_le64(p), tmp, sizeof tmp);
        break;
    case VT_SYSTIME:
        if (size >= 16)
            n = snprintf(tmp, sizeof tmp, "%04u-%02u-%02uT%02u:%02u:%02u.%03u000Z", sp_le16(p),
                         sp_le16(p + 2), sp_le16(p + 6), sp_le16(p + 8), sp_le16(p + 10),
                         sp_le16(p + 12), sp_le16(p + 14));
        break;
    case VT_SID: {
        if (size < 8) return;
        unsigned cnt = p[1];
        uint64_t auth = 0;
        for (int i = 2; i < 8; i++) auth = (auth << 8) | p[i];
        sp_buf_puts(b, "S-");
        sp_buf_put_u64(b, p[0]);
        sp_buf_putc(b, '-');
        sp_buf_put_u64(b, auth);
        for (unsigned i = 0; i < cnt && 8 + 4 * i + 4 <= size; i++) {
            sp_buf_putc(b, '-');
            sp_buf_put_u64(b, sp_le32(p + 8 + 4 * i));
        }
        return;
    }
    case VT_HEX32: case VT_HEX64: {
        if (size < (type == VT_HEX32 ? 4u : 8u)) return;
        uint64_t v = type == VT_HEX32 ? sp_le32(p) : sp_le64(p);
        char rev[16];
        int k = 0;
        do { rev[k++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
        tmp[0] = '0'; tmp[1] = 'x';
        for (n = 2; k; ) tmp[n++] = rev[--k];
        break;
    }
    default:
        /* unknown type: its bytes in hex, never lost */
        value_text(b, VT_BINARY, p, size, 0);
        return;
    }
    if (n > 0) sp_buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void bx_value_put(sp_buf *b, uint8_t type, const uint8_t *p, uint32_t size, vform f)
{
    /* a whole value is trimmed (as evtx_dump does); a piece of a
     * concatenation (VF_JSONS, VF_TEXTS) and XML are kept as written */
    int trim = (f == VF_JSON || f == VF_TEXT);
    if (f == VF_TEXT || f == VF_TEXTS) { value_text(b, type, p, size, trim); return; }
    int quote = (f == VF_JSON);
    if (f == VF_JSONS) f = VF_JSON;
    else if (f == VF_JSON && bx_type_is_bare(type)) {
        size_t at = b->len;
        value_text(b, type, p, size, 0);
        if (b->len == at) sp_buf_puts(b, "null");
        else if ((type == VT_R32 || type == VT_R64) && !b->failed &&
                 (b->p[at] == 'N' || b->p[at] == 'i' || (b->len - at > 1 && b->p[at + 1] == 'i'))) {
            /* JSON has no NaN/inf: quote them */
            size_t l = b->len - at;
            char t[8];
            memcpy(t, b->p + at, l < 8 ? l : 8);
            b->len = at;
            sp_buf_putc(b, '"');
            sp_buf_put(b, t, l < 8 ? l : 8);
            sp_buf_putc(b, '"');
        }
        return;
    }
    /* UTF-16 strings straight to escaped JSON in one pass */
    if (type == VT_STRING && f == VF_JSON) {
        uint32_t st, cnt;
        utf16_range(p, size, trim, &st, &cnt);
        if (quote) sp_buf_putc(b, '"');
        sp_utf16_to_json(b, p + 2 * st, cnt - st);
        if (quote) sp_buf_putc(b, '"');
        return;
    }
    /* strings: decode into the output, then escape in place only when a
     * character needs it (rare), so the common case is one pass */
    if (type == VT_STRING || type == VT_ANSI) {
        if (quote) sp_buf_putc(b, '"');
        size_t at = b->len;
        value_text(b, type, p, size, trim);
        if (b->failed) return;
        size_t i = at;
        if (f == VF_JSON) {
            for (; i < b->len; i++) {
                unsigned char ch = (unsigned char)b->p[i];
                if (ch < 0x20 || ch == '"' || ch == '\\' || (ch >= 0x80 && type == VT_ANSI)) break;
            }
        } else {
            for (; i < b->len; i++) {
                char ch = b->p[i];
                if (ch == '&' || ch == '<' || ch == '>' || ch == '"' || ch == '\'') break;
            }
        }
        if (i < b->len) {
            size_t l = b->len - i;
            char stackbuf[512];
            char *t = l <= sizeof stackbuf ? stackbuf : malloc(l);
            if (!t) { b->failed = 1; return; }
            memcpy(t, b->p + i, l);
            b->len = i;
            if (f == VF_JSON) sp_json_escape(b, t, l);
            else sp_xml_escape(b, t, l);
            if (t != stackbuf) free(t);
        }
        if (quote) sp_buf_putc(b, '"');
        return;
    }
    /* other types render to ASCII that needs no escaping */
    if (quote) sp_buf_putc(b, '"');
    value_text(b, type, p, size, 0);
    if (quote) sp_buf_putc(b, '"');
}
