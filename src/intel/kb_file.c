/*
 * kb_file.c — reading ATT&CK input (plain, gzip, zstd), spoor's compact KB
 * file (docs/intel.md, "Knowledge base file"), and the default intel folder.
 *
 * The KB file is UTF-8 text, one record per line, fields separated by tabs,
 * list items by '|' (aliases) or ',' (tactics, report keys).  '#' lines are
 * comments.  Header lines "key<TAB>value" come first ("spoor-attack-kb 1"
 * must be the first), then records in this order: A (tactics), T, G, S, C,
 * P (reports), R (relationships, referring to objects by ATT&CK ID and to
 * reports by number).  Loading is one pass; no line is longer than the
 * file, every reference is checked.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "intel/kb.h"

/* ------------------------------------------------------------- reading */

static int gunzip(const unsigned char *in, size_t n, char **out, size_t *outlen, const char *name, sp_error *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) { kb_err(err, name, UINT64_MAX, "out of memory"); return -1; }
    size_t cap = n * 4 + 4096, len = 0;
    char *buf = malloc(cap + 1);
    int zr = Z_OK;
    z.next_in = (unsigned char *)(uintptr_t)in;
    while (buf && zr != Z_STREAM_END) {
        if (len == cap) {
            if (cap >= SP_KB_MAX_FILE) { kb_err(err, name, UINT64_MAX, "larger than %u bytes decompressed", (unsigned)SP_KB_MAX_FILE); goto fail; }
            size_t nc = cap * 2 > SP_KB_MAX_FILE ? SP_KB_MAX_FILE : cap * 2;
            char *nb = realloc(buf, nc + 1);
            if (!nb) break;
            buf = nb;
            cap = nc;
        }
        size_t in_left = n - (size_t)(z.next_in - in);
        z.avail_in = in_left > UINT_MAX ? UINT_MAX : (unsigned)in_left;
        size_t out_left = cap - len;
        z.avail_out = out_left > UINT_MAX ? UINT_MAX : (unsigned)out_left;
        z.next_out = (unsigned char *)buf + len;
        zr = inflate(&z, Z_NO_FLUSH);
        len = (size_t)((char *)z.next_out - buf);
        if (zr == Z_BUF_ERROR && z.avail_in == 0 && z.avail_out != 0) { kb_err(err, name, z.total_in, "gzip: truncated"); goto fail; }
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) { kb_err(err, name, z.total_in, "gzip: %s", z.msg ? z.msg : "corrupt data"); goto fail; }
    }
    if (!buf) { kb_err(err, name, UINT64_MAX, "out of memory"); goto fail; }
    inflateEnd(&z);
    buf[len] = 0;
    *out = buf;
    *outlen = len;
    return 0;
fail:
    inflateEnd(&z);
    free(buf);
    return -1;
}

static int unzstd(const unsigned char *in, size_t n, char **out, size_t *outlen, const char *name, sp_error *err)
{
    ZSTD_DStream *ds = ZSTD_createDStream();
    size_t cap = n * 4 + 4096, len = 0;
    char *buf = malloc(cap + 1);
    if (!ds || !buf) { kb_err(err, name, UINT64_MAX, "out of memory"); goto fail; }
    ZSTD_initDStream(ds);
    ZSTD_inBuffer ib = {in, n, 0};
    size_t r = 1;
    while (r != 0) {
        if (len == cap) {
            if (cap >= SP_KB_MAX_FILE) { kb_err(err, name, UINT64_MAX, "larger than %u bytes decompressed", (unsigned)SP_KB_MAX_FILE); goto fail; }
            size_t nc = cap * 2 > SP_KB_MAX_FILE ? SP_KB_MAX_FILE : cap * 2;
            char *nb = realloc(buf, nc + 1);
            if (!nb) { kb_err(err, name, UINT64_MAX, "out of memory"); goto fail; }
            buf = nb;
            cap = nc;
        }
        ZSTD_outBuffer ob = {buf, cap, len};
        size_t before = ib.pos;
        r = ZSTD_decompressStream(ds, &ob, &ib);
        len = ob.pos;
        if (ZSTD_isError(r)) { kb_err(err, name, ib.pos, "zstd: %s", ZSTD_getErrorName(r)); goto fail; }
        if (r && ib.pos == n && ib.pos == before && ob.pos < ob.size) { kb_err(err, name, ib.pos, "zstd: truncated"); goto fail; }
    }
    ZSTD_freeDStream(ds);
    buf[len] = 0;
    *out = buf;
    *outlen = len;
    return 0;
fail:
    ZSTD_freeDStream(ds);
    free(buf);
    return -1;
}

int kb_read_input(const char *path, const void *mem, size_t memlen, char **out, size_t *outlen, sp_error *err)
{
    unsigned char *raw = NULL;
    size_t n = 0;
    const char *name = path ? path : "(memory)";
    if (path) {
        FILE *f = fopen(path, "rb");
        if (!f) { kb_err(err, path, UINT64_MAX, "cannot open: %s", strerror(errno)); if (err) err->sys_errno = errno; return -1; }
        struct stat st;
        if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) { fclose(f); kb_err(err, path, UINT64_MAX, "not a regular file"); return -1; }
        if ((uint64_t)st.st_size > SP_KB_MAX_FILE) { fclose(f); kb_err(err, path, UINT64_MAX, "larger than %u bytes", (unsigned)SP_KB_MAX_FILE); return -1; }
        raw = malloc((size_t)st.st_size + 1);
        if (!raw) { fclose(f); kb_err(err, path, UINT64_MAX, "out of memory"); return -1; }
        n = fread(raw, 1, (size_t)st.st_size, f);
        int bad = ferror(f);
        fclose(f);
        if (bad) { free(raw); kb_err(err, path, UINT64_MAX, "read error"); if (err) err->sys_errno = EIO; return -1; }
    } else {
        mem = mem ? mem : "";
        if (memlen > SP_KB_MAX_FILE) { kb_err(err, name, UINT64_MAX, "larger than %u bytes", (unsigned)SP_KB_MAX_FILE); return -1; }
        n = memlen;
    }
    const unsigned char *p = raw ? raw : mem;
    int rc;
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) rc = gunzip(p, n, out, outlen, name, err);
    else if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) rc = unzstd(p, n, out, outlen, name, err);
    else if (raw) { raw[n] = 0; *out = (char *)raw; *outlen = n; return 0; }
    else {
        char *c = malloc(n + 1);
        if (!c) { kb_err(err, name, UINT64_MAX, "out of memory"); return -1; }
        if (n) memcpy(c, p, n);
        c[n] = 0;
        *out = c;
        *outlen = n;
        rc = 0;
    }
    free(raw);
    return rc;
}

/* ------------------------------------------------------------- KB file */

#define MAXF 8

typedef struct lctx {
    sp_kb *kb;
    const char *name;
    size_t line;
    uint64_t off;
    sp_error *err;
    int stage;                  /* record letters must come in order A T G S C P R */
    uint32_t *reps;
} lctx;

static int lerr(lctx *c, const char *msg, const char *arg)
{
    kb_err(c->err, c->name, c->off, "line %zu: %s%s%.200s%s", c->line, msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
    return -1;
}

/* split `s` in place at `sep`; returns the count (items may be empty) */
static size_t split(char *s, char sep, char **f, size_t max)
{
    size_t n = 0;
    if (!*s) return 0;
    for (;;) {
        if (n == max) return max + 1;
        f[n++] = s;
        char *e = strchr(s, sep);
        if (!e) break;
        *e = 0;
        s = e + 1;
    }
    return n;
}

static int flag_has(const char *f, char c) { return strchr(f, c) != NULL; }

static sp_kb_kind kind_of_id(const char *id)
{
    switch (id[0]) {
    case 'G': return SP_KB_GROUP;
    case 'S': return SP_KB_SOFTWARE;
    case 'C': return SP_KB_CAMPAIGN;
    case 'T': return id[1] == 'A' ? SP_KB_TACTIC : SP_KB_TECHNIQUE;
    default: return SP_KB__KINDS;
    }
}

/* the object with exactly this ATT&CK ID (the name map also holds names) */
static uint32_t find_id(const sp_kb *kb, sp_kb_kind k, const char *id)
{
    uint32_t i = kb_find(kb, k, id, strlen(id));
    return i != KB_NONE && !strcmp(kb->k[k].v[i].id, id) ? i : KB_NONE;
}

static int rel_record(lctx *c, char **f)
{
    static const char *const types[] = {"uses", "attributed-to", "subtechnique-of", "revoked-by"};
    sp_kb *kb = c->kb;
    int type = -1;
    for (int t = 0; t < KB_R__N; t++) if (!strcmp(f[1], types[t])) type = t;
    if (type < 0) return lerr(c, "unknown relationship type", f[1]);
    sp_kb_kind sk = kind_of_id(f[2]), tk = kind_of_id(f[3]);
    uint32_t s = sk < SP_KB__KINDS ? find_id(kb, sk, f[2]) : KB_NONE;
    uint32_t t = tk < SP_KB__KINDS ? find_id(kb, tk, f[3]) : KB_NONE;
    if (s == KB_NONE) return lerr(c, "unknown object", f[2]);
    if (t == KB_NONE) return lerr(c, "unknown object", f[3]);
    int ok = kb_rel_ok(type, sk, tk);
    if (!ok) return lerr(c, "relationship between these kinds not supported", f[1]);
    char *rp[SP_KB_MAX_REL_REPORTS + 1];
    size_t nr = split(f[4], ',', rp, SP_KB_MAX_REL_REPORTS);
    if (nr > SP_KB_MAX_REL_REPORTS) return lerr(c, "too many reports", NULL);
    for (size_t i = 0; i < nr; i++) {
        char *e;
        unsigned long r = strtoul(rp[i], &e, 10);
        if (*e || !*rp[i] || r >= kb->nreports) return lerr(c, "unknown report", rp[i]);
        c->reps[i] = (uint32_t)r;
    }
    if (kb_add_rel(kb, type, sk, s, tk, t, c->reps, nr, 0)) return lerr(c, "out of memory or too many relationships", NULL);
    kb_count_rel(kb, type, sk, tk);
    return 0;
}

static int add_record(lctx *c, char **f, size_t nf)
{
    static const char letters[] = "ATGSCPR";
    static const size_t want[] = {5, 5, 5, 6, 7, 4, 5};
    const char *pos = strchr(letters, f[0][0]);
    if (!pos || f[0][1]) return lerr(c, "unknown record type", f[0]);
    int stage = (int)(pos - letters);
    if (stage < c->stage) return lerr(c, "record out of order", f[0]);
    c->stage = stage;
    if (nf != want[stage]) return lerr(c, "wrong number of fields in record", f[0]);
    sp_kb *kb = c->kb;
    if (f[0][0] == 'R') return rel_record(c, f);
    if (f[0][0] == 'P') {
        char *e;
        unsigned long n = strtoul(f[1], &e, 10);
        if (*e || !*f[1] || n != kb->nreports) return lerr(c, "reports must be numbered 0, 1, 2, ... in order", f[1]);
        uint32_t r = kb_add_report(kb, f[2], strlen(f[2]), f[3], strlen(f[3]), 0);
        if (r == KB_NONE) return lerr(c, "out of memory or too many reports", NULL);
        if (r != n) return lerr(c, "duplicate report", f[3]);
        return 0;
    }
    sp_kb_kind k = f[0][0] == 'A' ? SP_KB_TACTIC : f[0][0] == 'T' ? SP_KB_TECHNIQUE : f[0][0] == 'G' ? SP_KB_GROUP
                 : f[0][0] == 'S' ? SP_KB_SOFTWARE : SP_KB_CAMPAIGN;
    if (kind_of_id(f[1]) != k) return lerr(c, "ID does not fit the record type", f[1]);
    if (find_id(kb, k, f[1]) != KB_NONE) return lerr(c, "duplicate ID", f[1]);
    /* fields: A id short name flags | T id name flags tactics | G id name flags aliases
     *         S id name type flags aliases | C id name flags aliases first last */
    const char *flags = f[k == SP_KB_SOFTWARE || k == SP_KB_TACTIC ? 4 : 3], *name = f[k == SP_KB_TACTIC ? 3 : 2];
    char *al[SP_KB_MAX_ALIASES + 1];
    size_t nal = 0;
    if (k == SP_KB_GROUP || k == SP_KB_SOFTWARE || k == SP_KB_CAMPAIGN) {
        nal = split(f[k == SP_KB_SOFTWARE ? 5 : 4], '|', al, SP_KB_MAX_ALIASES);
        if (nal > SP_KB_MAX_ALIASES) return lerr(c, "too many aliases", NULL);
    }
    if (k == SP_KB_SOFTWARE && strcmp(f[3], "malware") && strcmp(f[3], "tool")) return lerr(c, "software type must be malware or tool", f[3]);
    uint32_t i = kb_add_obj(kb, k, f[1], name, (const char *const *)al, nal, flag_has(flags, 'r'), flag_has(flags, 'd'));
    if (i == KB_NONE) return lerr(c, "out of memory or too many objects/aliases", NULL);
    sp_kb_object *o = &kb->k[k].v[i];
    int bad = 0;
    switch (k) {
    case SP_KB_TACTIC: bad = !(o->shortname = kb_strdup(kb, f[2], strlen(f[2]))); break;
    case SP_KB_TECHNIQUE: o->subtechnique = flag_has(flags, 's'); bad = kb_set_tactics(kb, i, f[4], strlen(f[4])); break;
    case SP_KB_SOFTWARE: o->is_tool = f[3][0] == 't'; break;
    case SP_KB_CAMPAIGN:
        bad = !(o->first_seen = kb_strdup(kb, f[5], strlen(f[5]))) || !(o->last_seen = kb_strdup(kb, f[6], strlen(f[6])));
        break;
    default: break;
    }
    return bad ? lerr(c, "out of memory", NULL) : 0;
}

int kb_load_kbfile(sp_kb *kb, char *text, size_t len, const char *name, sp_error *err)
{
    lctx c = {kb, name, 0, 0, err, 0, NULL};
    int header = 1, seen_magic = 0, rc = -1;
    c.reps = malloc((SP_KB_MAX_REL_REPORTS + 1) * sizeof *c.reps);
    if (!c.reps) { kb_err(err, name, UINT64_MAX, "out of memory"); return SP_ERR_NOMEM; }
    if (memchr(text, 0, len)) { kb_err(err, name, (uint64_t)((char *)memchr(text, 0, len) - text), "NUL byte: not a spoor KB file"); goto out; }
    kb->st.attack_format = "kb";
    kb->st.attack_version = "unknown";
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        c.line++;
        c.off = (uint64_t)(p - text);
        if (le > p && le[-1] == '\r') le[-1] = 0;
        *le = 0;
        char *line = p;
        p = nl ? nl + 1 : end;
        if (!*line || *line == '#') continue;
        char *f[MAXF + 1];
        size_t nf = split(line, '\t', f, MAXF);
        if (nf > MAXF) { lerr(&c, "too many fields", NULL); goto out; }
        if (!seen_magic) {
            if (nf != 2 || strcmp(f[0], "spoor-attack-kb")) { lerr(&c, "not a spoor ATT&CK KB file (first line must be 'spoor-attack-kb<TAB>1')", NULL); goto out; }
            if (strcmp(f[1], "1")) { lerr(&c, "unsupported KB format version", f[1]); goto out; }
            seen_magic = 1;
            continue;
        }
        if (header && f[0][0] && f[0][1]) {       /* key<TAB>value */
            if (nf != 2) { lerr(&c, "header line must be key<TAB>value", f[0]); goto out; }
            if (strlen(f[1]) > SP_KB_MAX_STR) { lerr(&c, "field too long", NULL); goto out; }
            const char **dst = !strcmp(f[0], "version") ? &kb->st.attack_version : !strcmp(f[0], "notice") ? &kb->st.notice : NULL;
            if (dst && !(*dst = kb_strdup(kb, f[1], strlen(f[1])))) { lerr(&c, "out of memory", NULL); goto out; }
            continue;
        }
        header = 0;
        if (add_record(&c, f, nf)) goto out;
    }
    if (!seen_magic) { kb_err(err, name, 0, "empty: not a spoor ATT&CK KB file"); goto out; }
    rc = 0;
out:
    free(c.reps);
    return rc;
}

/* --------------------------------------------------------- intel folder */

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *sp_intel_dir(char *buf, size_t cap)
{
    const char *e = getenv("SPOOR_INTEL");
    if (e && *e) {
        if (!is_dir(e)) return NULL;
        snprintf(buf, cap, "%s", e);
        return buf;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *s = strrchr(exe, '/');
        if (s) {
            *s = 0;
            snprintf(buf, cap, "%s/../intel", exe);
            if (is_dir(buf)) return buf;
        }
    }
    if (is_dir("/usr/share/spoor/intel")) { snprintf(buf, cap, "/usr/share/spoor/intel"); return buf; }
    return NULL;
}

sp_status sp_kb_load_default(sp_kb *kb, int profiles, sp_error *err)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    if (!kb) return SP_ERR_ARG;
    if (!sp_intel_dir(dir, sizeof dir)) {
        kb_err(err, "", UINT64_MAX, "intel folder not found (set SPOOR_INTEL, or install intel/ beside the binary's folder)");
        return SP_ERR_IO;
    }
    snprintf(path, sizeof path, "%s/attack/enterprise-attack.kb.gz", dir);
    sp_status s = sp_kb_load_attack(kb, path, err);
    if (s != SP_OK || !profiles) return s;
    snprintf(path, sizeof path, "%s/profiles", dir);
    if (!is_dir(path)) return SP_OK;
    return sp_kb_add_profiles(kb, path, err);
}
