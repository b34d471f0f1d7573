/*
 * geo.c — country and ASN of addresses (sp_geo) from MaxMind DB files
 * (libmaxminddb) and range CSVs, and the special-purpose ranges known
 * without any database.
 *
 * MaxMind DB: the country is read from "country_code" (ip-location-db
 * layout) or "country" -> "iso_code" (GeoLite2/GeoIP2 layout); the ASN from
 * "autonomous_system_number" / "autonomous_system_organization".
 * CSV: "start,end,asn,org" (org may be quoted) or "start,end,country";
 * IPv4 and IPv6 ranges, sorted once, binary search per lookup.
 * Files answer in the order they were added; the first answer per field wins.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <maxminddb.h>

#include "intel/ioc_int.h"

typedef struct range4 { uint32_t s, e, asn, org; char cc[4]; } range4;
typedef struct range6 { ioc_u128 s, e; uint32_t asn, org; char cc[4]; } range6;

typedef struct gfile {
    char *path;
    int mmdb_ok;
    MMDB_s mmdb;
    range4 *r4;
    size_t n4;
    range6 *r6;
    size_t n6;
    char *orgs;       /* NUL-separated organisation names */
    size_t orgs_len;
    int has_cc, has_asn;
} gfile;

struct sp_geo {
    gfile *f;
    size_t n, cap;
};

/* --------------------------------------------------------- special ranges */

static const struct { uint32_t net; unsigned len; const char *label; } sp4[] = {
    {0x00000000u, 32, "unspecified"},   {0xFFFFFFFFu, 32, "broadcast"},
    {0x0A000000u, 8, "private"},        {0xAC100000u, 12, "private"},     {0xC0A80000u, 16, "private"},
    {0x7F000000u, 8, "loopback"},       {0xA9FE0000u, 16, "link-local"},  {0x64400000u, 10, "cgnat"},
    {0xC0000200u, 24, "documentation"}, {0xC6336400u, 24, "documentation"}, {0xCB007100u, 24, "documentation"},
    {0xE0000000u, 4, "multicast"},      {0xC6120000u, 15, "benchmarking"}, {0xF0000000u, 4, "reserved"},
    {0x00000000u, 8, "this-network"},   {0xC0000000u, 24, "reserved"},
};

static int v6_in(const uint8_t *b, const uint8_t *net, unsigned len)
{
    for (unsigned i = 0; i < len; i++) {
        unsigned m = 0x80u >> (i % 8);
        if ((b[i / 8] & m) != (net[i / 8] & m)) return 0;
    }
    return 1;
}

static const char *special_of(const ioc_ip *ip)
{
    if (!ip->v6) {
        for (size_t i = 0; i < sizeof sp4 / sizeof *sp4; i++) {
            uint32_t mask = sp4[i].len ? ~0u << (32 - sp4[i].len) : 0;
            if ((ip->v4 & mask) == sp4[i].net) return sp4[i].label;
        }
        return NULL;
    }
    static const uint8_t zero[16] = {0}, one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t fc[16] = {0xfc}, fe80[16] = {0xfe, 0x80}, ff[16] = {0xff},
                         doc[16] = {0x20, 0x01, 0x0d, 0xb8};
    if (!memcmp(ip->b, zero, 16)) return "unspecified";
    if (!memcmp(ip->b, one, 16)) return "loopback";
    if (v6_in(ip->b, fc, 7)) return "private";
    if (v6_in(ip->b, fe80, 10)) return "link-local";
    if (v6_in(ip->b, ff, 8)) return "multicast";
    if (v6_in(ip->b, doc, 32)) return "documentation";
    return NULL;
}

const char *sp_ip_special(const char *s, size_t n)
{
    ioc_ip ip;
    if (!s || ioc_parse_ip(s, n, 1, 1, &ip)) return NULL;
    return special_of(&ip);
}

/* -------------------------------------------------------------- objects */

sp_status sp_geo_new(sp_geo **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? SP_OK : SP_ERR_NOMEM;
}

void sp_geo_free(sp_geo *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->n; i++) {
        if (g->f[i].mmdb_ok) MMDB_close(&g->f[i].mmdb);
        free(g->f[i].path);
        free(g->f[i].r4);
        free(g->f[i].r6);
        free(g->f[i].orgs);
    }
    free(g->f);
    free(g);
}

size_t sp_geo_file_count(const sp_geo *g) { return g ? g->n : 0; }
const char *sp_geo_file(const sp_geo *g, size_t i) { return g && i < g->n ? g->f[i].path : NULL; }

static void set_err(sp_error *err, const char *file, int e, const char *msg)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
    err->offset = UINT64_MAX;
    err->sys_errno = e;
    snprintf(err->file, sizeof err->file, "%s", file);
    snprintf(err->msg, sizeof err->msg, "%s", msg);
}

/* ------------------------------------------------------------------ CSV */

static int r4cmp(const void *a, const void *b)
{
    const range4 *x = a, *y = b;
    return x->s < y->s ? -1 : x->s > y->s;
}
static int r6cmp(const void *a, const void *b)
{
    const range6 *x = a, *y = b;
    if (x->s.hi != y->s.hi) return x->s.hi < y->s.hi ? -1 : 1;
    return x->s.lo < y->s.lo ? -1 : x->s.lo > y->s.lo;
}

static ioc_u128 to128(const ioc_ip *ip)
{
    ioc_u128 r = {0, 0};
    for (int i = 0; i < 8; i++) r.hi = r.hi << 8 | ip->b[i];
    for (int i = 8; i < 16; i++) r.lo = r.lo << 8 | ip->b[i];
    return r;
}

static int load_csv(gfile *f, const char *data, size_t len, char *why, size_t wcap)
{
    size_t c4 = 0, c6 = 0, co = 0;
    size_t i = 0, line = 0, bad = 0;
    uint32_t last_org = UINT32_MAX;
    const char *last_org_s = NULL;
    size_t last_org_n = 0;
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - data) : len;
        const char *s = data + i;
        size_t n = e - i;
        i = e + 1;
        line++;
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ')) n--;
        if (!n || s[0] == '#') continue;
        /* fields: start, end, then asn + org (the rest of the line) or country */
        const char *fs[4] = {NULL, NULL, NULL, NULL};
        size_t fn[4] = {0, 0, 0, 0}, nf = 0;
        const char *c1 = memchr(s, ',', n);
        const char *c2 = c1 ? memchr(c1 + 1, ',', n - (size_t)(c1 + 1 - s)) : NULL;
        if (!c2) {
            bad++;
            continue;
        }
        const char *c3 = memchr(c2 + 1, ',', n - (size_t)(c2 + 1 - s));
        fs[0] = s;
        fn[0] = (size_t)(c1 - s);
        fs[1] = c1 + 1;
        fn[1] = (size_t)(c2 - c1 - 1);
        fs[2] = c2 + 1;
        fn[2] = (size_t)((c3 ? c3 : s + n) - c2 - 1);
        nf = 3;
        if (c3) {
            fs[3] = c3 + 1;
            fn[3] = n - (size_t)(c3 + 1 - s);
            if (fn[3] >= 2 && fs[3][0] == '"' && fs[3][fn[3] - 1] == '"') {
                fs[3]++;
                fn[3] -= 2;
            }
            nf = 4;
        }
        ioc_ip a, b;
        if (ioc_parse_ip(fs[0], fn[0], 0, 0, &a) || ioc_parse_ip(fs[1], fn[1], 0, 0, &b) || a.v6 != b.v6) {
            if (line == 1) continue;   /* a header */
            bad++;
            continue;
        }
        uint32_t asn = 0, org = UINT32_MAX;
        char cc[4] = "";
        if (nf == 3 && fn[2] == 2 && fs[2][0] >= 'A' && fs[2][0] <= 'Z') {
            cc[0] = fs[2][0];
            cc[1] = fs[2][1];
            f->has_cc = 1;
        } else {
            const char *p = fs[2];
            size_t pn = fn[2];
            if (pn > 2 && (p[0] == 'A' || p[0] == 'a') && (p[1] == 'S' || p[1] == 's')) { p += 2; pn -= 2; }
            uint64_t v = 0;
            size_t d = 0;
            while (d < pn && p[d] >= '0' && p[d] <= '9' && v < 0xffffffffu) v = v * 10 + (uint64_t)(p[d++] - '0');
            if (d != pn || !pn || v > 0xffffffffu) {
                bad++;
                continue;
            }
            asn = (uint32_t)v;
            f->has_asn = 1;
            if (nf == 4 && fn[3]) {
                if (last_org_s && last_org_n == fn[3] && !memcmp(last_org_s, fs[3], fn[3])) org = last_org;
                else {
                    if (f->orgs_len + fn[3] + 1 > co) {
                        size_t nc = co ? co * 2 : 1 << 20;
                        while (nc < f->orgs_len + fn[3] + 1) nc *= 2;
                        char *no = realloc(f->orgs, nc);
                        if (!no) return -1;
                        f->orgs = no;
                        co = nc;
                    }
                    org = (uint32_t)f->orgs_len;
                    memcpy(f->orgs + f->orgs_len, fs[3], fn[3]);
                    f->orgs_len += fn[3];
                    f->orgs[f->orgs_len++] = 0;
                    last_org = org;
                    last_org_s = fs[3];
                    last_org_n = fn[3];
                }
            }
        }
        if (!a.v6) {
            if (f->n4 == c4) {
                size_t nc = c4 ? c4 * 2 : 4096;
                range4 *nr = realloc(f->r4, nc * sizeof *nr);
                if (!nr) return -1;
                f->r4 = nr;
                c4 = nc;
            }
            range4 *r = &f->r4[f->n4++];
            r->s = a.v4;
            r->e = b.v4;
            r->asn = asn;
            r->org = org;
            memcpy(r->cc, cc, 4);
        } else {
            if (f->n6 == c6) {
                size_t nc = c6 ? c6 * 2 : 1024;
                range6 *nr = realloc(f->r6, nc * sizeof *nr);
                if (!nr) return -1;
                f->r6 = nr;
                c6 = nc;
            }
            range6 *r = &f->r6[f->n6++];
            r->s = to128(&a);
            r->e = to128(&b);
            r->asn = asn;
            r->org = org;
            memcpy(r->cc, cc, 4);
        }
    }
    if (!f->n4 && !f->n6) {
        snprintf(why, wcap, "no start,end,asn,org or start,end,country ranges (%zu lines not understood)", bad);
        return -2;
    }
    if (f->n4 > 1) qsort(f->r4, f->n4, sizeof *f->r4, r4cmp);
    if (f->n6 > 1) qsort(f->r6, f->n6, sizeof *f->r6, r6cmp);
    return 0;
}

sp_status sp_geo_add_file(sp_geo *g, const char *path, sp_error *err)
{
    if (!g || !path) return SP_ERR_ARG;
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 4;
        gfile *nf = realloc(g->f, nc * sizeof *nf);
        if (!nf) return SP_ERR_NOMEM;
        g->f = nf;
        g->cap = nc;
    }
    gfile *f = &g->f[g->n];
    memset(f, 0, sizeof *f);
    size_t pl = strlen(path);
    if (pl > 5 && !strcasecmp(path + pl - 5, ".mmdb")) {
        int rc = MMDB_open(path, MMDB_MODE_MMAP, &f->mmdb);
        if (rc != MMDB_SUCCESS) {
            int io = rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR;
            set_err(err, path, io ? errno : 0, MMDB_strerror(rc));
            return io ? SP_ERR_IO : SP_ERR_FORMAT;
        }
        f->mmdb_ok = 1;
        f->has_cc = f->has_asn = 1;   /* asked per lookup */
    } else {
        FILE *fp = fopen(path, "rb");
        if (!fp) {
            set_err(err, path, errno, strerror(errno));
            return SP_ERR_IO;
        }
        struct stat sb;
        if (fstat(fileno(fp), &sb) || (uint64_t)sb.st_size > SP_INTEL_MAX_FILE) {
            fclose(fp);
            set_err(err, path, 0, "not a regular file or larger than the limit");
            return SP_ERR_LIMIT;
        }
        char *buf = malloc((size_t)sb.st_size + 1);
        if (!buf) {
            fclose(fp);
            return SP_ERR_NOMEM;
        }
        size_t got = fread(buf, 1, (size_t)sb.st_size, fp);
        fclose(fp);
        char why[200] = "";
        int rc = load_csv(f, buf, got, why, sizeof why);
        free(buf);
        if (rc) {
            free(f->r4);
            free(f->r6);
            free(f->orgs);
            set_err(err, path, 0, rc == -1 ? "out of memory" : why);
            return rc == -1 ? SP_ERR_NOMEM : SP_ERR_FORMAT;
        }
    }
    f->path = strdup(path);
    if (!f->path) {
        if (f->mmdb_ok) MMDB_close(&f->mmdb);
        free(f->r4);
        free(f->r6);
        free(f->orgs);
        return SP_ERR_NOMEM;
    }
    g->n++;
    return SP_OK;
}

static int is_geo_file(const char *name)
{
    size_t l = strlen(name);
    return (l > 5 && !strcasecmp(name + l - 5, ".mmdb")) || (l > 4 && !strcasecmp(name + l - 4, ".csv"));
}

static int scmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static size_t add_dir(sp_geo *g, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256)
        if (de->d_name[0] != '.' && is_geo_file(de->d_name) && (names[n] = strdup(de->d_name))) n++;
    closedir(d);
    qsort(names, n, sizeof *names, scmp);
    size_t added = 0;
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        sp_error e;
        if (sp_geo_add_file(g, p, &e) == SP_OK) added++;
        free(names[i]);
    }
    return added;
}

size_t sp_geo_add_default(sp_geo *g, const char *exe_path)
{
    if (!g) return 0;
    const char *env = getenv("SPOOR_GEOIP");
    if (env && *env) {
        size_t added = 0;
        const char *s = env;
        while (*s) {
            const char *c = strchr(s, ':');
            size_t l = c ? (size_t)(c - s) : strlen(s);
            if (l && l < PATH_MAX) {
                char p[PATH_MAX];
                memcpy(p, s, l);
                p[l] = 0;
                struct stat sb;
                sp_error e;
                if (!stat(p, &sb) && S_ISDIR(sb.st_mode)) added += add_dir(g, p);
                else if (sp_geo_add_file(g, p, &e) == SP_OK) added++;
            }
            s += l;
            if (*s == ':') s++;
        }
        return added;
    }
    char exe[PATH_MAX] = "";
    if (exe_path && strchr(exe_path, '/')) {
        if (!realpath(exe_path, exe)) exe[0] = 0;
    }
    if (!exe[0]) {
        ssize_t r = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[r > 0 ? r : 0] = 0;
    }
    char cand[PATH_MAX + 32] = "";
    char *slash = strrchr(exe, '/');
    if (slash) {
        *slash = 0;
        snprintf(cand, sizeof cand, "%s/../intel/geo", exe);
    }
    const char *dirs[] = {cand, "/usr/share/spoor/geo", "/usr/share/GeoIP"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        struct stat sb;
        if (!dirs[i][0] || stat(dirs[i], &sb) || !S_ISDIR(sb.st_mode)) continue;
        size_t a = add_dir(g, dirs[i]);
        if (a) return a;
    }
    return 0;
}

/* ---------------------------------------------------------------- lookup */

static void mmdb_lookup(gfile *f, const ioc_ip *ip, sp_geo_info *out)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (!ip->v6) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, ip->b + 12, 4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, ip->b, 16);
    }
    int mmerr;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&f->mmdb, (struct sockaddr *)&ss, &mmerr);
    if (mmerr != MMDB_SUCCESS || !r.found_entry) return;
    MMDB_entry_data_s d;
    if (!out->country[0]) {
        int ok = MMDB_get_value(&r.entry, &d, "country_code", NULL) == MMDB_SUCCESS && d.has_data;
        if (!ok) ok = MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) == MMDB_SUCCESS && d.has_data;
        if (ok && d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size >= 2 && d.data_size < sizeof out->country) {
            memcpy(out->country, d.utf8_string, d.data_size);
            out->country[d.data_size] = 0;
            out->country_src = f->path;
        }
    }
    if (!out->asn) {
        if (MMDB_get_value(&r.entry, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS && d.has_data) {
            if (d.type == MMDB_DATA_TYPE_UINT32) out->asn = d.uint32;
            else if (d.type == MMDB_DATA_TYPE_UINT16) out->asn = d.uint16;
            else if (d.type == MMDB_DATA_TYPE_UINT64) out->asn = (uint32_t)d.uint64;
            if (out->asn) out->asn_src = f->path;
        }
        if (out->asn && MMDB_get_value(&r.entry, &d, "autonomous_system_organization", NULL) == MMDB_SUCCESS &&
            d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING) {
            size_t l = d.data_size < sizeof out->as_org - 1 ? d.data_size : sizeof out->as_org - 1;
            memcpy(out->as_org, d.utf8_string, l);
            out->as_org[l] = 0;
        }
    }
}

static void csv_lookup(const gfile *f, const ioc_ip *ip, sp_geo_info *out)
{
    uint32_t asn = 0, org = UINT32_MAX;
    const char *cc = NULL;
    if (!ip->v6) {
        size_t l = 0, r = f->n4;
        while (l < r) {
            size_t m = (l + r) / 2;
            if (f->r4[m].s <= ip->v4) l = m + 1;
            else r = m;
        }
        if (!l || f->r4[l - 1].e < ip->v4) return;
        const range4 *x = &f->r4[l - 1];
        asn = x->asn;
        org = x->org;
        cc = x->cc;
    } else {
        ioc_u128 k = to128(ip);
        size_t l = 0, r = f->n6;
        while (l < r) {
            size_t m = (l + r) / 2;
            const ioc_u128 *s = &f->r6[m].s;
            if (s->hi < k.hi || (s->hi == k.hi && s->lo <= k.lo)) l = m + 1;
            else r = m;
        }
        if (!l) return;
        const range6 *x = &f->r6[l - 1];
        if (x->e.hi < k.hi || (x->e.hi == k.hi && x->e.lo < k.lo)) return;
        asn = x->asn;
        org = x->org;
        cc = x->cc;
    }
    if (!out->country[0] && cc && cc[0]) {
        memcpy(out->country, cc, 4);
        out->country_src = f->path;
    }
    if (!out->asn && asn) {
        out->asn = asn;
        out->asn_src = f->path;
        if (org != UINT32_MAX) snprintf(out->as_org, sizeof out->as_org, "%s", f->orgs + org);
    }
}

int sp_geo_lookup(const sp_geo *g, const char *s, size_t n, sp_geo_info *out)
{
    memset(out, 0, sizeof *out);
    out->special = out->country_src = out->asn_src = "";
    ioc_ip ip;
    if (!s || ioc_parse_ip(s, n, 0, 1, &ip)) return -1;
    const char *sp = special_of(&ip);
    if (sp) {
        out->special = sp;
        return 1;
    }
    for (size_t i = 0; g && i < g->n; i++) {
        gfile *f = &g->f[i];
        if (out->country[0] && out->asn) break;
        if (f->mmdb_ok) mmdb_lookup(f, &ip, out);
        else csv_lookup(f, &ip, out);
    }
    return out->country[0] || out->asn ? 1 : 0;
}
