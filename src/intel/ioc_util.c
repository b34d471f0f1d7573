/* ioc_util.c — parsing, detecting and normalising indicator values. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "intel/ioc_int.h"

static inline int lc(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

int64_t ioc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------- IPs */

static int parse_v4(const char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || s[i] != '.') return -1;
            i++;
        }
        unsigned o = 0;
        size_t d = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && d < 4) { o = o * 10 + (unsigned)(s[i] - '0'); i++; d++; }
        if (!d || d > 3 || o > 255) return -1;
        v = (v << 8) | o;
    }
    if (i != n) return -1;
    *out = v;
    return 0;
}

static int parse_prefix(const char *s, size_t n, unsigned max, unsigned *out)
{
    if (!n || n > 3) return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max) return -1;
    *out = v;
    return 0;
}

static void set_v4(ioc_ip *ip, uint32_t v, unsigned prefix)
{
    if (prefix < 32) v &= prefix ? ~((1u << (32 - prefix)) - 1) : 0;
    memset(ip, 0, sizeof *ip);
    ip->v4 = v;
    ip->prefix = (uint8_t)prefix;
    ip->b[10] = ip->b[11] = 0xff;
    ip->b[12] = (uint8_t)(v >> 24);
    ip->b[13] = (uint8_t)(v >> 16);
    ip->b[14] = (uint8_t)(v >> 8);
    ip->b[15] = (uint8_t)v;
}

int ioc_parse_ip(const char *s, size_t n, int cidr, int lenient, ioc_ip *out)
{
    if (n >= 7 && n <= 15 && s[0] >= '0' && s[0] <= '9') {   /* the common case: a.b.c.d */
        uint32_t v;
        if (!parse_v4(s, n, &v)) {
            set_v4(out, v, 32);
            return 0;
        }
    }
    while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
    if (!n || n > 64) return -1;
    if (lenient && s[0] == '[') {            /* [v6] or [v6]:port */
        const char *e = memchr(s, ']', n);
        if (!e) return -1;
        size_t rest = n - (size_t)(e - s) - 1;
        if (rest && e[1] != ':') return -1;
        n = (size_t)(e - s) - 1;
        s++;
    }
    const char *slash = memchr(s, '/', n);
    size_t an = slash ? (size_t)(slash - s) : n;
    unsigned prefix = 0;
    int has_prefix = 0;
    if (slash) {
        if (!cidr) return -1;
        has_prefix = 1;
    }
    /* count colons: one colon after a dotted quad is a port */
    const char *colon = memchr(s, ':', an);
    if (!colon) {
        uint32_t v;
        if (lenient && an && s[an - 1] == '.') an--;
        if (parse_v4(s, an, &v)) return -1;
        if (has_prefix && parse_prefix(slash + 1, n - an - 1, 32, &prefix)) return -1;
        set_v4(out, v, has_prefix ? prefix : 32);
        return 0;
    }
    if (lenient && !memchr(colon + 1, ':', an - (size_t)(colon - s) - 1) && !has_prefix) {
        /* a.b.c.d:port */
        uint32_t v;
        if (parse_v4(s, (size_t)(colon - s), &v)) return -1;
        for (const char *p = colon + 1; p < s + an; p++)
            if (*p < '0' || *p > '9') return -1;
        set_v4(out, v, 32);
        return 0;
    }
    char buf[64];
    size_t bn = an;
    if (lenient) {                            /* %zone */
        const char *z = memchr(s, '%', an);
        if (z) bn = (size_t)(z - s);
    }
    if (bn >= sizeof buf) return -1;
    memcpy(buf, s, bn);
    buf[bn] = 0;
    uint8_t b[16];
    if (inet_pton(AF_INET6, buf, b) != 1) return -1;
    if (has_prefix && parse_prefix(slash + 1, n - an - 1, 128, &prefix)) return -1;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(b, mapped, 12) && (!has_prefix || prefix >= 96)) {
        uint32_t v = ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) | ((uint32_t)b[14] << 8) | b[15];
        set_v4(out, v, has_prefix ? prefix - 96 : 32);
        return 0;
    }
    memset(out, 0, sizeof *out);
    out->v6 = 1;
    out->prefix = (uint8_t)(has_prefix ? prefix : 128);
    memcpy(out->b, b, 16);
    for (unsigned i = out->prefix; i < 128; i++) out->b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
    return 0;
}

size_t ioc_ip_str(const ioc_ip *ip, char *buf, size_t cap)
{
    char t[64];
    if (!ip->v6) {
        uint32_t v = ip->v4;
        snprintf(t, sizeof t, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
        if (ip->prefix != 32) snprintf(t + strlen(t), sizeof t - strlen(t), "/%u", ip->prefix);
    } else {
        if (!inet_ntop(AF_INET6, ip->b, t, sizeof t)) t[0] = 0;
        if (ip->prefix != 128) snprintf(t + strlen(t), sizeof t - strlen(t), "/%u", ip->prefix);
    }
    size_t l = strlen(t);
    if (l >= cap) return 0;
    memcpy(buf, t, l + 1);
    return l;
}

/* ---------------------------------------------------------------- hashes */

/* hex digit value + 1; 0 = not a hex digit */
static const uint8_t hexv1[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

size_t ioc_hex_digest(const char *s, size_t n, uint8_t *out, size_t cap)
{
    if ((n != 32 && n != 40 && n != 64) || n / 2 > cap) return 0;
    const unsigned char *u = (const unsigned char *)s;
    unsigned bad = 0;
    for (size_t i = 0; i < n; i += 2) {
        unsigned a = hexv1[u[i]], b = hexv1[u[i + 1]];
        bad |= !a | !b;
        out[i / 2] = (uint8_t)(((a - 1) << 4) | ((b - 1) & 15));
    }
    return bad ? 0 : n / 2;
}

uint64_t ioc_hash(const void *p, size_t n, uint64_t seed)
{
    const uint8_t *s = p;
    uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h ^= w * 0xff51afd7ed558ccdull;
        h = (h << 31 | h >> 33) * 0xc4ceb9fe1a85ec53ull;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) w |= (uint64_t)s[i] << (8 * i);
    h ^= w * 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* ---------------------------------------------------------------- strings */

size_t ioc_lower(const char *s, size_t n, char *out, size_t cap)
{
    if (n > cap) return 0;
    for (size_t i = 0; i < n; i++) out[i] = (char)lc((unsigned char)s[i]);
    return n;
}

size_t ioc_refang(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < cap;) {
        if (i + 3 <= n && (!memcmp(s + i, "[.]", 3) || !memcmp(s + i, "(.)", 3) || !memcmp(s + i, "{.}", 3))) {
            out[o++] = '.';
            i += 3;
        } else if (i + 5 <= n && !memcmp(s + i, "[dot]", 5)) {
            out[o++] = '.';
            i += 5;
        } else if (i + 3 <= n && !memcmp(s + i, "[:]", 3)) {
            out[o++] = ':';
            i += 3;
        } else if (i + 5 <= n && !memcmp(s + i, "[://]", 5)) {
            memcpy(out + o, "://", 3);
            o += 3;
            i += 5;
        } else if (i == 0 && n >= 4 && (!strncasecmp(s, "hxxp", 4) || !strncasecmp(s, "hxxps", 5))) {
            memcpy(out + o, "http", 4);
            o += 4;
            i += 4;
        } else if (i == 0 && n >= 3 && !strncasecmp(s, "fxp", 3)) {
            memcpy(out + o, "ftp", 3);
            o += 3;
            i += 3;
        } else
            out[o++] = s[i++];
    }
    return o;
}

const char *ioc_basename(const char *s, size_t n, size_t *blen)
{
    size_t i = n;
    while (i && s[i - 1] != '\\' && s[i - 1] != '/') i--;
    *blen = n - i;
    return s + i;
}

int ioc_has_glob(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '*' || s[i] == '?') return 1;
    return 0;
}

int ioc_glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    unsigned long steps = 0;
    while (si < sn) {
        if (++steps > SP_INTEL_MAX_GLOB_STEPS) return 0;
        if (pi < pn && (p[pi] == '?' || lc((unsigned char)p[pi]) == lc((unsigned char)s[si]))) {
            pi++;
            si++;
        } else if (pi < pn && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else
            return 0;
    }
    while (pi < pn && p[pi] == '*') pi++;
    return pi == pn;
}

/* --------------------------------------------------------------- domains */

size_t ioc_norm_domain(const char *s, size_t n, char *out, size_t cap)
{
    while (n && s[n - 1] == '.') n--;       /* FQDN dot */
    if (n && s[0] == '.') { s++; n--; }      /* ".evil.com" as written in some lists */
    if (n > 2 && s[0] == '*' && s[1] == '.') { s += 2; n -= 2; }
    if (!n || n > 253 || n > cap) return 0;
    int dots = 0;
    for (size_t i = 0; i < n; i++) {
        int c = lc((unsigned char)s[i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
              (unsigned char)c >= 0x80))
            return 0;
        if (c == '.') {
            if (i == 0 || s[i - 1] == '.') return 0;
            dots++;
        }
        out[i] = (char)c;
    }
    (void)dots;
    return n;
}

/* ------------------------------------------------------------------- URLs */

size_t ioc_norm_url(const char *s, size_t n, char *out, size_t cap)
{
    while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < n && i < 32; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') { sep = s + i; break; }
    if (!sep || sep == s || n + 1 > cap) return 0;
    size_t o = 0, sl = (size_t)(sep - s);
    for (size_t i = 0; i < sl; i++) {
        int c = lc((unsigned char)s[i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return 0;
        out[o++] = (char)c;
    }
    memcpy(out + o, "://", 3);
    o += 3;
    const char *h = sep + 3, *end = s + n;
    const char *he = h;
    while (he < end && *he != '/' && *he != '?' && *he != '#') he++;
    /* authority: drop userinfo, lower-case host, drop default port */
    const char *at = NULL;
    for (const char *p = h; p < he; p++)
        if (*p == '@') at = p;
    if (at) h = at + 1;
    if (h == he) return 0;
    const char *port = NULL;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(he - h));
        if (!rb) return 0;
        if (rb + 1 < he && rb[1] == ':') port = rb + 1;
    } else {
        for (const char *p = h; p < he; p++)
            if (*p == ':') { port = p; break; }
    }
    const char *hend = port ? port : he;
    if (hend == h) return 0;                 /* no host */
    size_t host_at = o;
    for (const char *p = h; p < hend; p++) {
        if ((unsigned char)*p <= ' ' || *p == '\\' || *p == '"' || *p == '<' || *p == '>') return 0;
        out[o++] = (char)lc((unsigned char)*p);
    }
    while (o > host_at && out[o - 1] == '.') o--;
    if (o == host_at) return 0;              /* the host was only dots ("http://./x") */
    if (port) {
        size_t pl = (size_t)(he - port - 1);
        int dflt = (sl == 4 && !memcmp(out, "http", 4) && pl == 2 && !memcmp(port + 1, "80", 2)) ||
                   (sl == 5 && !memcmp(out, "https", 5) && pl == 3 && !memcmp(port + 1, "443", 3));
        if (!dflt && pl) {
            memcpy(out + o, port, pl + 1);
            o += pl + 1;
        }
    }
    const char *rest = he;
    const char *frag = memchr(rest, '#', (size_t)(end - rest));
    if (frag) end = frag;
    /* blanks before a cut fragment would be trimmed on the next reading:
     * trim them now, so that the normal form is its own normal form */
    while (end > rest && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
    if (rest == end || *rest != '/') out[o++] = '/';
    if (o + (size_t)(end - rest) > cap) return 0;
    memcpy(out + o, rest, (size_t)(end - rest));
    o += (size_t)(end - rest);
    return o;
}

/* ------------------------------------------------------------------ paths */

size_t ioc_norm_path(const char *s, size_t n, char *out, size_t cap, int *glob)
{
    *glob = 0;
    while (n && (*s == ' ' || *s == '"')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r')) n--;
    if (n >= 4 && (!memcmp(s, "\\??\\", 4) || !memcmp(s, "\\\\?\\", 4))) { s += 4; n -= 4; }
    if (n > 23 && !strncasecmp(s, "\\device\\harddiskvolume", 22)) {
        size_t i = 22;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        s += i;
        n -= i;
    }
    if (n >= 2 && s[1] == ':' && ((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')) { s += 2; n -= 2; }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 1 >= cap) return 0;
        if (s[i] == '%') {                   /* %VAR% -> * */
            const char *e = memchr(s + i + 1, '%', n - i - 1);
            if (e && e > s + i + 1) {
                int ok = 1;
                for (const char *p = s + i + 1; p < e; p++)
                    if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '(' || *p == ')')) { ok = 0; break; }
                if (ok) {
                    out[o++] = '*';
                    *glob = 1;
                    i = (size_t)(e - s);
                    continue;
                }
            }
        }
        if (s[i] == '*' || s[i] == '?') *glob = 1;
        out[o++] = (char)lc((unsigned char)s[i]);
    }
    return o;
}

/* --------------------------------------------------------------- registry */

static const struct { const char *from, *to; } hives[] = {
    {"hkey_local_machine", "hklm"}, {"\\registry\\machine", "hklm"}, {"hklm", "hklm"},
    {"hkey_users", "hku"}, {"\\registry\\user", "hku"}, {"hku", "hku"},
    {"hkey_current_user", "hkcu"}, {"hkcu", "hkcu"},
    {"hkey_classes_root", "hkcr"}, {"hkcr", "hkcr"},
    {"hkey_current_config", "hkcc"}, {"hkcc", "hkcc"},
};

size_t ioc_norm_regkey(const char *s, size_t n, char *out, size_t cap)
{
    while (n && (*s == ' ' || *s == '"')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\\' || s[n - 1] == '\r')) n--;
    size_t o = 0;
    for (size_t h = 0; h < sizeof hives / sizeof *hives; h++) {
        size_t fl = strlen(hives[h].from);
        if (n >= fl && !strncasecmp(s, hives[h].from, fl) && (n == fl || s[fl] == '\\')) {
            size_t tl = strlen(hives[h].to);
            if (tl > cap) return 0;
            memcpy(out, hives[h].to, tl);
            o = tl;
            s += fl;
            n -= fl;
            break;
        }
    }
    if (!o) return 0;
    if (o + n > cap) return 0;
    for (size_t i = 0; i < n; i++) out[o++] = (char)lc((unsigned char)s[i]);
    return o;
}

size_t ioc_norm_pipe(const char *s, size_t n, char *out, size_t cap, int *glob)
{
    *glob = 0;
    while (n && (*s == ' ' || *s == '"')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r')) n--;
    static const char *const pre[] = {"\\\\.\\pipe\\", "\\??\\pipe\\", "\\device\\namedpipe\\", "\\pipe\\", "pipe\\"};
    for (size_t i = 0; i < sizeof pre / sizeof *pre; i++) {
        size_t l = strlen(pre[i]);
        if (n >= l && !strncasecmp(s, pre[i], l)) { s += l; n -= l; break; }
    }
    while (n && *s == '\\') { s++; n--; }
    if (!n) return 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 1 >= cap) return 0;
        if (s[i] == '%' && i + 1 < n) {     /* printf conversion -> * */
            size_t j = i + 1;
            while (j < n && strchr("-+ #0123456789.lhIqLjzt64", s[j])) j++;
            if (j < n && strchr("diouxXcsSpn", s[j])) {
                out[o++] = '*';
                *glob = 1;
                i = j;
                continue;
            }
        }
        if (s[i] == '*' || s[i] == '?') *glob = 1;
        out[o++] = (char)lc((unsigned char)s[i]);
    }
    return o;
}

/* ------------------------------------------------------------- ATT&CK ids */

static int attack_id_at(const char *s, size_t n)
{
    if (n < 5 || !(s[0] == 'G' || s[0] == 'S' || s[0] == 'C' || s[0] == 'T')) return 0;
    for (size_t i = 1; i < n; i++)
        if (!(s[i] >= '0' && s[i] <= '9') && !(s[0] == 'T' && s[i] == '.')) return 0;
    return n >= 5;
}

void ioc_split_attack_id(const char *s, size_t n, char *name, size_t ncap, char *id, size_t icap)
{
    name[0] = id[0] = 0;
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    size_t nn = n;
    size_t e = n;
    if (e && s[e - 1] == ')') e--;
    size_t b = e;
    while (b && isalnum((unsigned char)s[b - 1])) b--;
    if (attack_id_at(s + b, e - b)) {
        size_t il = e - b < icap - 1 ? e - b : icap - 1;
        memcpy(id, s + b, il);
        id[il] = 0;
        nn = b;
        if (e < n && nn && s[nn - 1] == '(') nn--;
        while (nn && (s[nn - 1] == ' ' || s[nn - 1] == '-')) nn--;
    }
    if (nn > ncap - 1) nn = ncap - 1;
    memcpy(name, s, nn);
    name[nn] = 0;
}

/* ------------------------------------------------------------------ types */

static const struct { const char *name; sp_ioc_type t; } type_names[] = {
    {"ipv4", SP_IOC_IPV4}, {"ipv6", SP_IOC_IPV6}, {"domain", SP_IOC_DOMAIN}, {"hostname", SP_IOC_HOSTNAME},
    {"url", SP_IOC_URL}, {"md5", SP_IOC_MD5}, {"sha1", SP_IOC_SHA1}, {"sha256", SP_IOC_SHA256},
    {"imphash", SP_IOC_IMPHASH}, {"filename", SP_IOC_FILENAME}, {"filepath", SP_IOC_FILEPATH},
    {"regkey", SP_IOC_REGKEY}, {"mutex", SP_IOC_MUTEX}, {"pipe", SP_IOC_PIPE}, {"pattern", SP_IOC_PATTERN},
    /* aliases, MISP and STIX names */
    {"ip", SP_IOC_IPV4}, {"ip-src", SP_IOC_IPV4}, {"ip-dst", SP_IOC_IPV4}, {"cidr", SP_IOC_IPV4},
    {"ipv4-addr", SP_IOC_IPV4}, {"ipv6-addr", SP_IOC_IPV6}, {"ip-src|port", SP_IOC_IPV4},
    {"ip-dst|port", SP_IOC_IPV4}, {"domain-name", SP_IOC_DOMAIN}, {"fqdn", SP_IOC_HOSTNAME},
    {"host", SP_IOC_HOSTNAME}, {"hostname|port", SP_IOC_HOSTNAME}, {"domain|ip", SP_IOC_DOMAIN},
    {"uri", SP_IOC_URL}, {"sha-1", SP_IOC_SHA1}, {"sha-256", SP_IOC_SHA256}, {"file", SP_IOC_FILENAME},
    {"file-name", SP_IOC_FILENAME}, {"name", SP_IOC_FILENAME}, {"path", SP_IOC_FILEPATH},
    {"file-path", SP_IOC_FILEPATH}, {"filename|md5", SP_IOC_MD5}, {"filename|sha1", SP_IOC_SHA1},
    {"filename|sha256", SP_IOC_SHA256}, {"filename|imphash", SP_IOC_IMPHASH},
    {"registry", SP_IOC_REGKEY}, {"regkey|value", SP_IOC_REGKEY}, {"windows-registry-key", SP_IOC_REGKEY},
    {"registry-key", SP_IOC_REGKEY}, {"named pipe", SP_IOC_PIPE}, {"named-pipe", SP_IOC_PIPE},
    {"namedpipe", SP_IOC_PIPE}, {"stix", SP_IOC_PATTERN}, {"stix2-pattern", SP_IOC_PATTERN},
};

const char *sp_ioc_type_name(sp_ioc_type t)
{
    for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
        if (type_names[i].t == t) return type_names[i].name;
    return "none";
}

sp_ioc_type sp_ioc_type_parse(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
        if (strlen(type_names[i].name) == n && !strncasecmp(type_names[i].name, s, n)) return type_names[i].t;
    return SP_IOC_NONE;
}

/* last labels that are file extensions rather than TLDs (".exe", ".dll", ...);
 * a value ending in one of these is a file name */
static const char *const file_exts[] = {
    "exe", "dll", "sys", "scr", "cpl", "ocx", "drv", "jsp", "jspx", "asp", "aspx", "php", "dat", "tmp",
    "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "hta", "lnk", "msi", "jar", "class",
    "py", "sh", "pl", "rb", "elf", "so", "bin", "txt", "log", "res", "save", "zip", "rar", "7z", "gz",
    "tar", "cab", "iso", "img", "vhd", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx",
    "pdf", "rtf", "one", "chm", "inf", "reg", "db", "sqlite", "ini", "cfg", "conf", "yar", "evtx",
    "dmp", "war", "apk", "dex", "ipa", "dylib", "pyc", "xml", "json", "csv", "html", "htm",
};

static int is_file_ext(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof file_exts / sizeof *file_exts; i++)
        if (strlen(file_exts[i]) == n && !strncasecmp(file_exts[i], s, n)) return 1;
    return 0;
}

sp_ioc_type sp_ioc_detect(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (!n || n > SP_INTEL_MAX_VALUE) return SP_IOC_NONE;
    ioc_ip ip;
    if (!ioc_parse_ip(s, n, 1, 0, &ip)) return ip.v6 ? SP_IOC_IPV6 : SP_IOC_IPV4;
    uint8_t d[32];
    size_t dl = ioc_hex_digest(s, n, d, sizeof d);
    if (dl == 16) return SP_IOC_MD5;
    if (dl == 20) return SP_IOC_SHA1;
    if (dl == 32) return SP_IOC_SHA256;
    for (size_t i = 0; i + 2 < n && i < 32; i++) {
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') return SP_IOC_URL;
        if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.') break;
    }
    char tmp[64];
    if (n >= 5 && ioc_norm_regkey(s, n < 40 ? n : 40, tmp, sizeof tmp) && memchr(s, '\\', n)) return SP_IOC_REGKEY;
    if ((n > 9 && !strncasecmp(s, "\\\\.\\pipe\\", 9)) || (n > 18 && !strncasecmp(s, "\\device\\namedpipe\\", 18)))
        return SP_IOC_PIPE;
    int has_sep = memchr(s, '\\', n) || memchr(s, '/', n);
    int has_space = memchr(s, ' ', n) != NULL;
    if (has_sep) {
        if ((n >= 3 && s[1] == ':' && (s[2] == '\\' || s[2] == '/')) || s[0] == '\\' || s[0] == '/' || s[0] == '%' ||
            s[0] == '*')
            return SP_IOC_FILEPATH;
        return SP_IOC_NONE;
    }
    if (n > 3 && s[n - 1] == '.' && s[n - 2] != '.') {   /* FQDN "evil.com." */
        sp_ioc_type t = sp_ioc_detect(s, n - 1);
        return t == SP_IOC_DOMAIN ? t : SP_IOC_NONE;
    }
    const char *dot = NULL;
    for (size_t i = n; i; i--)
        if (s[i - 1] == '.') { dot = s + i - 1; break; }
    if (!dot || dot == s + n - 1) return SP_IOC_NONE;
    size_t el = n - (size_t)(dot - s) - 1;
    if (is_file_ext(dot + 1, el) || ioc_has_glob(s, n) || has_space) return SP_IOC_FILENAME;
    char dom[256];
    if (ioc_norm_domain(s, n, dom, sizeof dom)) {
        /* the last label must contain a letter */
        for (size_t i = 0; i < el; i++)
            if (isalpha((unsigned char)dot[1 + i])) return SP_IOC_DOMAIN;
    }
    return SP_IOC_FILENAME;
}

size_t sp_ioc_refang(const char *s, size_t n, char *out, size_t cap) { return ioc_refang(s, n, out, cap); }
