/*
 * sigma_cache.c — compiled rule sets kept on disk between runs.
 *
 * Loading the full SigmaHQ set (3,752 YAML files) costs 110-150 ms on one
 * core, every run: a third of it libyaml, a third opening and reading the
 * files, the rest compiling, routing and building the prefilter.  On the
 * bench's 64 MB EVTX that is three times the time `evtx dump` takes for the
 * whole file.  A compiled set depends only on the rule files, the logsource
 * and placeholder files and this build of spoor, so it is written to a
 * cache file once and read back on later runs (the hunt's whole setup:
 * 130 ms -> 13 ms, most of it checking the 3,752 files' sizes and times;
 * docs/performance.md), or to a file the user names (spoor rules compile;
 * hunt --compiled-rules: setup 2 ms).  YARA's compiled rules are the model.
 * Every route (sigma_route.c) is built before an image is written and
 * stored in it, so runs from an image build none.
 *
 * The image: every object reachable from the ruleset (rules, condition
 * trees, values, logsource variants, index, literals, prefilter) is copied
 * into one buffer; each pointer is stored as SG_IMAGE_BASE plus the offset
 * of its target, and its own offset is listed in a relocation table.
 * Loading maps the file's image at SG_IMAGE_BASE (private, so nothing is
 * written back): no copy, no relocation, pages shared with the page cache;
 * only if that address is taken is every pointer moved.  PCRE2 codes are
 * stored with pcre2_serialize_encode and referred to by index.  Objects
 * are memoised by (address, size) so shared objects stay shared (condition
 * trees used twice, logsource variants every rule of a logsource points
 * to).  SigmaHQ: 22 MB with its 354 routes; reading it back costs ~2 ms
 * where loading the YAML costs 110-150 ms.
 *
 * Validity: the file name is a hash of the key and the file holds the key
 * itself: a format version, the structure sizes, this executable's
 * identity (its GNU build-id, else a CRC-64 of /proc/self/exe: any rebuild
 * invalidates), then the
 * logsource and placeholder files, and every rule file loaded, in order,
 * with its size, mtime and ctime (ns) and inode (ctime: a copy that keeps
 * the mtime still changes it).  A file the user names is checked
 * against the first part only.  The image has a
 * CRC-64 (ISA-L), and every relocation is bounds-checked on load, so a
 * damaged or truncated cache is rejected and the rules are compiled from
 * the YAML as if there were none.  A cache file is trusted as much as the
 * user's own files (it lives in the user's cache folder, mode 0600); it is
 * not a boundary against a hostile writer.
 *
 * Writing: into a temporary file in the cache folder, then rename(), so
 * concurrent runs never see half a file.  The folder keeps the
 * SG_CACHE_KEEP most recently written images.
 *
 * Ownership: a ruleset read from the cache owns its image (rs->image, a
 * mapping of the file: the file must not be cut short while it is in use —
 * spoor itself only ever replaces files by rename()) and its decoded PCRE2
 * codes; sp_ruleset_free releases both instead of the individual arrays.
 */

#include <dirent.h>
#include <elf.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <isa-l/crc64.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sigma/sigma.h"
#include "base/io.h"

#define SG_CACHE_MAGIC "SPRULES\0"
#define SG_CACHE_FORMAT 4u
#define SG_CACHE_KEEP 8
#define SG_VERIFIED_KEEP 32   /* memos of checked files (verified_mark) */
/* Pointers in an image hold SG_IMAGE_BASE + their target's offset: mapped
 * at that address (MAP_FIXED_NOREPLACE), an image needs no relocation and
 * its pages come straight from the page cache, faulted in as the scan
 * touches them; elsewhere (the address is taken: a second set in the same
 * process) every pointer is moved.  The image starts at a multiple of
 * SG_IMAGE_ALIGN in the file (any page size up to 64 KB). */
#define SG_IMAGE_BASE 0x3a5000000000ull
#define SG_IMAGE_ALIGN 65536u

/* ------------------------------------------------------------- the key */

static void key_add(sp_buf *k, const void *p, size_t n) { sp_buf_put(k, p, n); }

static void key_u64(sp_buf *k, uint64_t v) { key_add(k, &v, sizeof v); }

static void key_str(sp_buf *k, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    key_u64(k, n);
    if (n) key_add(k, s, n);
}

static void key_stat(sp_buf *k, const char *path)
{
    struct stat st;
    key_str(k, path);
    if (path && stat(path, &st) == 0) {
        key_u64(k, (uint64_t)st.st_dev);
        key_u64(k, (uint64_t)st.st_ino);
        key_u64(k, (uint64_t)st.st_size);
        key_u64(k, (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec);
        key_u64(k, (uint64_t)st.st_ctim.tv_sec * 1000000000ull + (uint64_t)st.st_ctim.tv_nsec);
    } else {
        key_u64(k, UINT64_MAX);
    }
}

int sg_cache_note_file(sp_ruleset *rs, const char *path, const struct stat *st)
{
    sg_cfile *f;
    if (rs->ncfiles == rs->cap_cfiles) {
        uint32_t nc = rs->cap_cfiles ? rs->cap_cfiles * 2 : 256;
        sg_cfile *nf = realloc(rs->cfiles, nc * sizeof *nf);
        if (!nf) return -1;
        rs->cfiles = nf;
        rs->cap_cfiles = nc;
    }
    f = &rs->cfiles[rs->ncfiles];
    f->path = sg_strdup(&rs->ar, path, strlen(path));
    if (!f->path) return -1;
    f->ino = (uint64_t)st->st_ino;
    f->size = (uint64_t)st->st_size;
    f->mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000ull + (uint64_t)st->st_mtim.tv_nsec;
    f->ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000ull + (uint64_t)st->st_ctim.tv_nsec;
    rs->ncfiles++;
    return 0;
}

/* This executable's identity: the GNU build-id its linker wrote (a hash of
 * its contents: found in memory, no I/O), else a CRC-64 of its bytes read
 * from /proc/self/exe (~0.4 ms).  A rebuilt spoor, or another program
 * linking libspoor, has another.  g_exe_size 0: unknown. */
static uint64_t g_exe_crc, g_exe_size;
static pthread_once_t g_exe_once = PTHREAD_ONCE_INIT;

static int build_id_of(struct dl_phdr_info *info, size_t size, void *user)
{
    (void)size;
    if (info->dlpi_name && info->dlpi_name[0]) return 1;   /* the program comes first; stop */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr), *e = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= e) {
            ElfW(Nhdr) nh;
            memcpy(&nh, p, sizeof nh);
            const unsigned char *name = p + sizeof nh, *desc = name + ((nh.n_namesz + 3) & ~3u);
            const unsigned char *next = desc + ((nh.n_descsz + 3) & ~3u);
            if (next > e) break;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && !memcmp(name, "GNU", 4) && nh.n_descsz) {
                g_exe_crc = crc64_ecma_refl(0, desc, nh.n_descsz);
                g_exe_size = nh.n_descsz | 1ull << 63;   /* tells a build-id from a file size */
                return 1;
            }
            p = next;
        }
    }
    return 1;
}

static void exe_identity(void)
{
    dl_iterate_phdr(build_id_of, NULL);
    if (g_exe_size) return;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;   /* g_exe_size stays 0: no image is written or read */
    unsigned char buf[1 << 16];
    uint64_t c = 0, n = 0;
    ssize_t k;
    while ((k = read(fd, buf, sizeof buf)) > 0) { c = crc64_ecma_refl(c, buf, (uint64_t)k); n += (uint64_t)k; }
    close(fd);
    g_exe_crc = c;
    g_exe_size = n;
}

/* what the image's layout depends on: this build; -1 when the executable
 * cannot be read (then images are neither written nor read) */
static int key_build(sp_buf *k)
{
    pthread_once(&g_exe_once, exe_identity);
    if (!g_exe_size) return -1;
    key_add(k, SG_CACHE_MAGIC, 8);
    key_u64(k, SG_CACHE_FORMAT);
    key_u64(k, sizeof(sp_ruleset) << 32 | sizeof(sg_rule));
    key_u64(k, sizeof(sg_node) << 48 | sizeof(sg_item) << 32 | sizeof(sg_val) << 16 | sizeof(sg_pf));
    key_str(k, SP_VERSION);
    key_u64(k, g_exe_crc);
    key_u64(k, g_exe_size);
    return sp_buf_failed(k) ? -1 : 0;
}

/* the key: the build, then everything the compiled set was made from */
static int make_key(const sp_ruleset *rs, sp_buf *k, uint64_t *buildlen)
{
    if (key_build(k)) return -1;
    *buildlen = k->len;
    key_stat(k, rs->ls_path);
    key_stat(k, rs->ph_path);
    key_u64(k, rs->ncfiles);
    for (uint32_t i = 0; i < rs->ncfiles; i++) {
        const sg_cfile *f = &rs->cfiles[i];
        key_str(k, f->path);
        key_u64(k, f->ino);
        key_u64(k, f->size);
        key_u64(k, f->mtime_ns);
        key_u64(k, f->ctime_ns);
    }
    return sp_buf_failed(k) ? -1 : 0;
}

/* ------------------------------------------------------------ writing */

typedef struct memo { const void *p; size_t n; uint64_t off; } memo;

typedef struct cw {
    sp_buf img;              /* the image; offset 0 is NULL */
    uint64_t *rel;           /* offsets of pointer slots */
    size_t nrel, caprel;
    uint64_t *rx;            /* offsets of the sg_val.re_idx of regex values */
    size_t nrx, caprx;
    memo *m;                 /* open addressing by p */
    size_t mcap, mn;
    const sp_ruleset *rs;
    int failed;
} cw;

static size_t mhash(const void *p, size_t n)
{
    uint64_t x = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull ^ n;
    return (size_t)(x ^ x >> 31);
}

static int memo_grow(cw *w)
{
    size_t nc = w->mcap ? w->mcap * 2 : 1 << 16;
    memo *nm = calloc(nc, sizeof *nm);
    if (!nm) return -1;
    for (size_t i = 0; i < w->mcap; i++) {
        if (!w->m[i].p) continue;
        size_t h = mhash(w->m[i].p, w->m[i].n) & (nc - 1);
        while (nm[h].p) h = (h + 1) & (nc - 1);
        nm[h] = w->m[i];
    }
    free(w->m);
    w->m = nm;
    w->mcap = nc;
    return 0;
}

static memo *memo_slot(cw *w, const void *p, size_t n)
{
    if ((w->mn + 1) * 2 > w->mcap && memo_grow(w)) { w->failed = 1; return NULL; }
    size_t h = mhash(p, n) & (w->mcap - 1);
    while (w->m[h].p && !(w->m[h].p == p && w->m[h].n == n)) h = (h + 1) & (w->mcap - 1);
    return &w->m[h];
}

/* the offset an object was copied to (registered by memo_put), 0 if none */
static uint64_t memo_find(cw *w, const void *p, size_t n)
{
    memo *m = memo_slot(w, p, n);
    return m && m->p ? m->off : 0;
}

static void memo_put(cw *w, const void *p, size_t n, uint64_t off)
{
    memo *m = memo_slot(w, p, n);
    if (m && !m->p) { *m = (memo){p, n, off}; w->mn++; }
}

/* append n bytes (8-aligned), the offset; 0 on failure */
static uint64_t raw(cw *w, const void *p, size_t n, size_t extra_nul)
{
    size_t at = w->img.len;
    static const char zero[8];
    sp_buf_put(&w->img, p, n);
    if (extra_nul) sp_buf_put(&w->img, zero, 1);
    size_t pad = (8 - (w->img.len & 7)) & 7;
    sp_buf_put(&w->img, zero, pad);
    if (sp_buf_failed(&w->img)) { w->failed = 1; return 0; }
    return at;
}

/* a copy of the object (shared when the same address and size was copied
 * before: *fresh = 0, and its pointers are patched already); 0 for NULL */
static uint64_t objf(cw *w, const void *p, size_t n, int nul, int *fresh)
{
    *fresh = 0;
    if (!p || w->failed) return 0;
    memo *m = memo_slot(w, p, n + (size_t)nul);
    if (!m) return 0;
    if (m->p) return m->off;
    uint64_t off = raw(w, p, n, (size_t)nul);
    memo_put(w, p, n + (size_t)nul, off);
    *fresh = 1;
    return off;
}

static uint64_t obj(cw *w, const void *p, size_t n, int nul)
{
    int fresh;
    return objf(w, p, n, nul, &fresh);
}

static char *at(cw *w, uint64_t off) { return w->img.p + off; }

/* append v to a growing list of offsets */
static void push_off(cw *w, uint64_t **a, size_t *n, size_t *cap, uint64_t v)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        uint64_t *na = realloc(*a, nc * sizeof *na);
        if (!na) { w->failed = 1; return; }
        *a = na;
        *cap = nc;
    }
    (*a)[(*n)++] = v;
}

/* store target offset `to` in the pointer slot at `slot` */
static void setp(cw *w, uint64_t slot, uint64_t to)
{
    if (w->failed) return;
    uintptr_t v = to ? (uintptr_t)(SG_IMAGE_BASE + to) : 0;
    memcpy(at(w, slot), &v, sizeof v);
    if (to) push_off(w, &w->rel, &w->nrel, &w->caprel, slot);
}

static uint64_t str(cw *w, const char *s) { return s ? obj(w, s, strlen(s), 1) : 0; }
static uint64_t strn(cw *w, const char *s, size_t n) { return s ? obj(w, s, n, 1) : 0; }

#define SLOT(base, T, field) ((base) + offsetof(T, field))
#define PTR(w, base, T, field, to) setp((w), SLOT(base, T, field), (to))

/* an array of n strings */
static uint64_t strs(cw *w, const char *const *v, size_t n)
{
    if (!v || !n) return v ? obj(w, v, 0, 0) : 0;
    int fresh;
    uint64_t o = objf(w, v, n * sizeof *v, 0, &fresh);
    if (!fresh) return o;
    for (size_t i = 0; i < n; i++) setp(w, o + i * sizeof *v, str(w, v[i]));
    return o;
}

/* an array of plain values */
static uint64_t arr(cw *w, const void *p, size_t n, size_t sz) { return p ? obj(w, p, n * sz, 0) : 0; }

/* an array of structures the caller patches when *fresh */
static uint64_t arrf(cw *w, const void *p, size_t n, size_t sz, int *fresh)
{
    return objf(w, p, n * sz, 0, fresh);
}

static void put_val(cw *w, uint64_t o, const sg_val *v)
{
    PTR(w, o, sg_val, lit, strn(w, v->lit, v->len));
    if (v->tok) {
        int fresh;
        uint64_t t = arrf(w, v->tok, v->ntok, sizeof *v->tok, &fresh);
        for (uint32_t i = 0; fresh && i < v->ntok; i++)
            PTR(w, t + i * sizeof(sg_tok), sg_tok, s, strn(w, v->tok[i].s, v->tok[i].len));
        PTR(w, o, sg_val, tok, t);
    }
    if (v->kind == VK_RE) {   /* its index, checked against the codes when read */
        if (v->re_idx >= w->rs->nre || !w->rs->regexes[v->re_idx]) { w->failed = 1; return; }
        push_off(w, &w->rx, &w->nrx, &w->caprx, SLOT(o, sg_val, re_idx));
    }
}

static uint64_t put_item(cw *w, const sg_item *it)
{
    int fresh;
    uint64_t o = objf(w, it, sizeof *it, 0, &fresh);
    if (!fresh) return o;
    uint64_t v = arrf(w, it->v, it->nv, sizeof *it->v, &fresh);
    for (uint32_t i = 0; fresh && i < it->nv; i++) put_val(w, v + i * sizeof(sg_val), &it->v[i]);
    PTR(w, o, sg_item, v, v);
    PTR(w, o, sg_item, vlit, arr(w, it->vlit, it->nv, sizeof *it->vlit));
    return o;
}

static uint64_t put_node(cw *w, const sg_node *n, int depth)
{
    if (!n || w->failed) return 0;
    if (depth > 4 * SP_SIGMA_MAX_COND_DEPTH + 16) { w->failed = 1; return 0; }
    int fresh;
    uint64_t o = objf(w, n, sizeof *n, 0, &fresh);
    if (!fresh) return o;
    if (n->kid) {
        uint64_t k = raw(w, n->kid, n->n * sizeof *n->kid, 0);
        for (uint32_t i = 0; k && i < n->n; i++) setp(w, k + i * sizeof(void *), put_node(w, n->kid[i], depth + 1));
        PTR(w, o, sg_node, kid, k);
    }
    PTR(w, o, sg_node, item, n->item ? put_item(w, n->item) : 0);
    return o;
}

static void put_lsvar(cw *w, uint64_t o, const sg_lsvar *v)
{
    PTR(w, o, sg_lsvar, chan, strs(w, v->chan, v->nchan));
    PTR(w, o, sg_lsvar, eid, arr(w, v->eid, v->neid, sizeof *v->eid));
    PTR(w, o, sg_lsvar, prov, strs(w, v->prov, v->nprov));
    PTR(w, o, sg_lsvar, ren_from, arr(w, v->ren_from, v->nren, sizeof *v->ren_from));
    PTR(w, o, sg_lsvar, ren_to, arr(w, v->ren_to, v->nren, sizeof *v->ren_to));
    PTR(w, o, sg_lsvar, m_fid, arr(w, v->m_fid, v->nm, sizeof *v->m_fid));
    PTR(w, o, sg_lsvar, m_val, strs(w, v->m_val, v->nm));
}

static uint64_t lsvar_ref(cw *w, const sg_lsvar *v)
{
    int fresh;   /* not fresh: a logsource entry's own variant, or one seen before */
    uint64_t o = objf(w, v, sizeof *v, 0, &fresh);
    if (fresh) put_lsvar(w, o, v);
    return o;
}

static void put_info(cw *w, uint64_t o, const sp_rule_info *I)
{
    PTR(w, o, sp_rule_info, file, str(w, I->file));
    PTR(w, o, sp_rule_info, id, str(w, I->id));
    PTR(w, o, sp_rule_info, name, str(w, I->name));
    PTR(w, o, sp_rule_info, title, str(w, I->title));
    PTR(w, o, sp_rule_info, description, str(w, I->description));
    PTR(w, o, sp_rule_info, level, str(w, I->level));
    PTR(w, o, sp_rule_info, status, str(w, I->status));
    PTR(w, o, sp_rule_info, author, str(w, I->author));
    PTR(w, o, sp_rule_info, date, str(w, I->date));
    PTR(w, o, sp_rule_info, modified, str(w, I->modified));
    PTR(w, o, sp_rule_info, product, str(w, I->product));
    PTR(w, o, sp_rule_info, category, str(w, I->category));
    PTR(w, o, sp_rule_info, service, str(w, I->service));
    PTR(w, o, sp_rule_info, corr_type, str(w, I->corr_type));
    PTR(w, o, sp_rule_info, tags, strs(w, I->tags, I->ntags));
    PTR(w, o, sp_rule_info, references, strs(w, I->references, I->nreferences));
    PTR(w, o, sp_rule_info, falsepositives, strs(w, I->falsepositives, I->nfalsepositives));
}

static uint64_t put_corr(cw *w, const sg_corr *c)
{
    int fresh;
    uint64_t o = objf(w, c, sizeof *c, 0, &fresh);
    if (!fresh) return o;
    PTR(w, o, sg_corr, refs, strs(w, c->refs, c->nrefs));
    PTR(w, o, sg_corr, ref_rule, arr(w, c->ref_rule, c->nrefs, sizeof *c->ref_rule));
    PTR(w, o, sg_corr, group, strs(w, c->group, c->ngroup));
    PTR(w, o, sg_corr, alias, strs(w, c->alias, c->nalias));
    if (c->alias_field) {
        uint64_t a = arrf(w, c->alias_field, c->nalias, sizeof *c->alias_field, &fresh);
        for (uint32_t i = 0; fresh && i < c->nalias; i++)
            setp(w, a + i * sizeof(void *), strs(w, c->alias_field[i], c->nrefs));
        PTR(w, o, sg_corr, alias_field, a);
    }
    PTR(w, o, sg_corr, field, str(w, c->field));
    return o;
}

static void put_rule(cw *w, uint64_t o, const sg_rule *R)
{
    put_info(w, o + offsetof(sg_rule, info), &R->info);
    PTR(w, o, sg_rule, cond, put_node(w, R->cond, 0));
    if (R->filters) {
        uint64_t f = raw(w, R->filters, R->nfilters * sizeof *R->filters, 0);
        for (uint32_t i = 0; f && i < R->nfilters; i++) setp(w, f + i * sizeof(void *), put_node(w, R->filters[i], 0));
        PTR(w, o, sg_rule, filters, f);
    }
    if (R->vars) {
        uint64_t v = raw(w, R->vars, R->nvars * sizeof *R->vars, 0);
        for (uint32_t i = 0; v && i < R->nvars; i++) setp(w, v + i * sizeof(void *), lsvar_ref(w, R->vars[i]));
        PTR(w, o, sg_rule, vars, v);
    }
    PTR(w, o, sg_rule, lits, arr(w, R->lits, R->nlits, sizeof *R->lits));
    PTR(w, o, sg_rule, xlits, arr(w, R->xlits, R->nxcl ? R->xcl_end[R->nxcl - 1] : 0, sizeof *R->xlits));
    PTR(w, o, sg_rule, corr, R->corr ? put_corr(w, R->corr) : 0);
    PTR(w, o, sg_rule, corr_users, arr(w, R->corr_users, R->ncorr_users, sizeof *R->corr_users));
}

static void put_clist(cw *w, uint64_t o, const sg_clist *l)
{
    memo_put(w, l, sizeof *l, o);   /* routes refer to lists by address */
    uint32_t npost = 0;
    for (uint32_t i = 0; i < l->lmap_cap; i++)
        if (l->lmap[i].lit != UINT32_MAX) npost += l->lmap[i].count;
    PTR(w, o, sg_clist, c, arr(w, l->c, l->n, sizeof *l->c));
    PTR(w, o, sg_clist, nolit, arr(w, l->nolit, l->nnolit, sizeof *l->nolit));
    PTR(w, o, sg_clist, lmap, arr(w, l->lmap, l->lmap_cap, sizeof *l->lmap));
    PTR(w, o, sg_clist, post, arr(w, l->post, npost, sizeof *l->post));
    if (!w->failed) memcpy(at(w, SLOT(o, sg_clist, cap)), &l->n, sizeof l->n);
}

static void put_chan(cw *w, uint64_t o, const sg_chan *c)
{
    PTR(w, o, sg_chan, name, str(w, c->name));
    if (c->by_eid) {
        int fresh;
        uint64_t e = arrf(w, c->by_eid, c->neid, sizeof *c->by_eid, &fresh);
        for (uint32_t i = 0; fresh && i < c->neid; i++)
            put_clist(w, e + i * sizeof(sg_eidlist) + offsetof(sg_eidlist, l), &c->by_eid[i].l);
        PTR(w, o, sg_chan, by_eid, e);
        if (!w->failed) memcpy(at(w, SLOT(o, sg_chan, cap_eid)), &c->neid, sizeof c->neid);
    }
    put_clist(w, o + offsetof(sg_chan, any_eid), &c->any_eid);
}

static size_t bm_words(uint32_t shift) { return ((size_t)1 << (32 - shift)) / 64 + 1; }

static void put_pf(cw *w, uint64_t o, const sg_pf *pf);

/* the routes built so far (all of them: sg_routes_prebuild), after the
 * index, whose lists they point at */
static void put_routes(cw *w, uint64_t root)
{
    const sg_route **br = malloc(SP_SIGMA_MAX_ROUTES * sizeof *br);
    if (!br) { w->failed = 1; return; }
    uint32_t nb = sg_routes_built(w->rs, br, SP_SIGMA_MAX_ROUTES);
    if (nb > SP_SIGMA_MAX_ROUTES) nb = SP_SIGMA_MAX_ROUTES;
    if (!nb || w->failed) { free(br); return; }
    uint64_t first = 0;
    for (uint32_t i = 0; i < nb; i++) {   /* the structures first, contiguous */
        uint64_t o = raw(w, br[i], sizeof(sg_route), 0);
        if (!i) first = o;
    }
    for (uint32_t i = 0; i < nb && !w->failed; i++) {
        const sg_route *r = br[i];
        uint64_t o = first + i * sizeof(sg_route);
        sg_route *c = (sg_route *)at(w, o);
        c->used = c->ready = c->in_image = 0;
        /* its lists' places in the image, all found before any pointer of
         * the copy is recorded (a route left out has none) */
        uint64_t lo[4] = {0, 0, 0, 0};
        uint32_t k = 0;
        while (k < r->nlists && k < 4 && (lo[k] = memo_find(w, r->lists[k], sizeof(sg_clist)))) k++;
        if (k < r->nlists) {   /* not lists of this image: left out when read */
            memset(c, 0, sizeof *c);
            c->failed = 1;
            continue;
        }
        for (k = 0; k < r->nlists; k++) setp(w, o + offsetof(sg_route, lists) + k * sizeof(void *), lo[k]);
        if (r->f) {
            uint64_t f = arr(w, r->f, r->nf, sizeof *r->f);
            for (uint32_t j = 0; f && j < r->nf; j++) put_pf(w, f + j * sizeof(sg_fpf) + offsetof(sg_fpf, pf), &r->f[j].pf);
            PTR(w, o, sg_route, f, f);
        }
        PTR(w, o, sg_route, fidx, arr(w, r->fidx, r->fidx_cap, sizeof *r->fidx));
        put_pf(w, o + offsetof(sg_route, any), &r->any);
    }
    PTR(w, root, sp_ruleset, img_routes, first);
    if (!w->failed) ((sp_ruleset *)at(w, root))->nimg_routes = nb;
    free(br);
}

static void put_pf(cw *w, uint64_t o, const sg_pf *pf)
{
    PTR(w, o, sg_pf, bm, arr(w, pf->bm, bm_words(pf->shift4), sizeof *pf->bm));
    PTR(w, o, sg_pf, bm3, arr(w, pf->bm3, bm_words(pf->shift3), sizeof *pf->bm3));
    PTR(w, o, sg_pf, bm2, arr(w, pf->bm2, 65536 / 64, sizeof *pf->bm2));
    PTR(w, o, sg_pf, map, arr(w, pf->map, pf->map_cap, sizeof *pf->map));
    PTR(w, o, sg_pf, ent, arr(w, pf->ent, pf->nlit, sizeof *pf->ent));
}

/* the image of a compiled ruleset: its root is an sp_ruleset at offset 8 */
static int build_image(const sp_ruleset *rs, cw *w)
{
    static const char zero[8];
    sp_buf_put(&w->img, zero, 8);   /* offset 0 = NULL */
    uint64_t o = raw(w, rs, sizeof *rs, 0);
    if (w->failed) return -1;
    /* not carried: arenas, options, the scratch lists, the route table */
    sp_ruleset *root = (sp_ruleset *)at(w, o);
    memset(&root->ar, 0, sizeof root->ar);
    memset(&root->tmp, 0, sizeof root->tmp);
    root->ls_path = root->ph_path = root->cache_dir = NULL;
    root->placeholders = NULL;
    root->cfiles = NULL;
    root->ncfiles = root->cap_cfiles = 0;
    root->rt = NULL;
    root->img_routes = NULL;
    root->nimg_routes = 0;
    root->regexes = NULL;
    root->image = NULL;
    root->cache_state = 0;
    /* logsources first: rules' variants point into them */
    if (rs->ls) {
        uint64_t l = arr(w, rs->ls, rs->nls, sizeof *rs->ls);
        for (uint32_t i = 0; l && i < rs->nls; i++) {
            uint64_t e = l + i * sizeof(sg_lsent);
            const sg_lsent *L = &rs->ls[i];
            PTR(w, e, sg_lsent, product, str(w, L->product));
            PTR(w, e, sg_lsent, category, str(w, L->category));
            PTR(w, e, sg_lsent, service, str(w, L->service));
            uint64_t v = e + offsetof(sg_lsent, var);
            memo_put(w, &L->var, sizeof L->var, v);
            put_lsvar(w, v, &L->var);
        }
        PTR(w, o, sp_ruleset, ls, l);
    }
    PTR(w, o, sp_ruleset, fname, strs(w, rs->fname, rs->nfields));
    PTR(w, o, sp_ruleset, fname_len, arr(w, rs->fname_len, rs->nfields, sizeof *rs->fname_len));
    PTR(w, o, sp_ruleset, fhash, arr(w, rs->fhash, rs->fhash_cap, sizeof *rs->fhash));
    if (rs->rules) {
        uint64_t r = arr(w, rs->rules, rs->nrules, sizeof *rs->rules);
        for (uint32_t i = 0; r && i < rs->nrules; i++) put_rule(w, r + i * sizeof(sg_rule), &rs->rules[i]);
        PTR(w, o, sp_ruleset, rules, r);
    }
    if (rs->filters) {
        uint64_t f = arr(w, rs->filters, rs->nfilters, sizeof *rs->filters);
        for (uint32_t i = 0; f && i < rs->nfilters; i++) {
            uint64_t e = f + i * sizeof(sg_filter);
            const sg_filter *F = &rs->filters[i];
            PTR(w, e, sg_filter, file, str(w, F->file));
            PTR(w, e, sg_filter, id, str(w, F->id));
            PTR(w, e, sg_filter, title, str(w, F->title));
            PTR(w, e, sg_filter, product, str(w, F->product));
            PTR(w, e, sg_filter, category, str(w, F->category));
            PTR(w, e, sg_filter, service, str(w, F->service));
            PTR(w, e, sg_filter, rules, strs(w, F->rules, F->nrules));
            PTR(w, e, sg_filter, cond, put_node(w, F->cond, 0));
        }
        PTR(w, o, sp_ruleset, filters, f);
    }
    if (rs->rej) {
        uint64_t j = arr(w, rs->rej, rs->nrej, sizeof *rs->rej);
        for (uint32_t i = 0; j && i < rs->nrej; i++) {
            uint64_t e = j + i * sizeof(sg_reject);
            const sg_reject *J = &rs->rej[i];
            PTR(w, e, sg_reject, file, str(w, J->file));
            PTR(w, e, sg_reject, id, str(w, J->id));
            PTR(w, e, sg_reject, title, str(w, J->title));
            PTR(w, e, sg_reject, reason, str(w, J->reason));
        }
        PTR(w, o, sp_ruleset, rej, j);
    }
    if (rs->chans) {
        uint64_t c = arr(w, rs->chans, rs->chan_cap, sizeof *rs->chans);
        for (uint32_t i = 0; c && i < rs->chan_cap; i++)
            if (rs->chans[i].name) put_chan(w, c + i * sizeof(sg_chan), &rs->chans[i]);
        PTR(w, o, sp_ruleset, chans, c);
    }
    put_chan(w, o + offsetof(sp_ruleset, anychan), &rs->anychan);

    PTR(w, o, sp_ruleset, unmapped, arr(w, rs->unmapped, rs->nunmapped, sizeof *rs->unmapped));
    if (rs->lit) {
        uint64_t l = arr(w, rs->lit, rs->nlit, sizeof *rs->lit);
        for (uint32_t i = 0; l && i < rs->nlit; i++) setp(w, l + i * sizeof(void *), strn(w, rs->lit[i], rs->lit_len[i]));
        PTR(w, o, sp_ruleset, lit, l);
    }
    PTR(w, o, sp_ruleset, lit_len, arr(w, rs->lit_len, rs->nlit, sizeof *rs->lit_len));
    PTR(w, o, sp_ruleset, lhash, arr(w, rs->lhash, rs->lhash_cap, sizeof *rs->lhash));
    PTR(w, o, sp_ruleset, lit_anchor, arr(w, rs->lit_anchor, rs->nlit, sizeof *rs->lit_anchor));
    PTR(w, o, sp_ruleset, lit_aoff, arr(w, rs->lit_aoff, rs->nlit, sizeof *rs->lit_aoff));
    put_pf(w, o + offsetof(sp_ruleset, pf), &rs->pf);
    PTR(w, o, sp_ruleset, scan_hash, arr(w, rs->scan_hash, rs->scan_cap, sizeof *rs->scan_hash));
    PTR(w, o, sp_ruleset, fnh, arr(w, rs->fnh, rs->nfields, sizeof *rs->fnh));
    put_routes(w, o);
    if (!w->failed) {   /* capacities now equal the stored counts */
        root = (sp_ruleset *)at(w, o);
        root->cap_fields = root->nfields;
        root->cap_rules = root->nrules;
        root->cap_filters = root->nfilters;
        root->cap_rej = root->nrej;
        root->cap_lit = root->nlit;
        root->nre = rs->nre;
        root->cap_re = rs->nre;
    }
    return w->failed ? -1 : 0;
}

/* file layout (little-endian, this machine's own):
 *   magic[8] format u64  keylen u64  buildlen u64  imglen u64  nrel u64  nrx u64  rxlen u64  crc u64
 *   key[keylen]  zeros up to a multiple of SG_IMAGE_ALIGN  image[imglen]
 *   rel[nrel] u64  rx[nrx] u64  regexes[rxlen]
 * key[0..buildlen) names the build (a file written with sp_ruleset_save is
 * checked against that part only); crc: CRC-64 of the key, the image, rx
 * and the regexes; crc_rel: of the relocations (read only when the image
 * cannot be mapped at its own address). */
typedef struct chead {
    char magic[8];
    uint64_t format, keylen, buildlen, imglen, nrel, nrx, rxlen, crc, crc_rel;
} chead;

static void cache_path(const sp_ruleset *rs, const sp_buf *key, char *out, size_t cap)
{
    uint64_t h = crc64_ecma_refl(0, (const unsigned char *)key->p, key->len);
    snprintf(out, cap, "%s/rules-%016llx.spc", rs->cache_dir, (unsigned long long)h);
}

static int mkdirs(const char *dir)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n >= sizeof p) return -1;
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (p[i] == '/' || p[i] == 0) {
            char c = p[i];
            p[i] = 0;
            if (mkdir(p, 0700) && errno != EEXIST) return -1;
            p[i] = c;
        }
    return 0;
}

/* files of one kind in the cache folder, by modification time */
#define PRUNE_MAX 64
typedef struct prune_list { struct { char name[64]; int64_t t; } e[PRUNE_MAX]; int n; } prune_list;

static void prune_note(prune_list *L, const char *name, size_t l, const struct stat *st)
{
    if (L->n == PRUNE_MAX || l >= sizeof L->e[0].name) return;
    memcpy(L->e[L->n].name, name, l + 1);
    L->e[L->n].t = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    L->n++;
}

/* remove all but the `keep` newest of L */
static void prune_keep(int dfd, const prune_list *L, int keep)
{
    for (int i = 0; i < L->n; i++) {
        int newer = 0;
        for (int j = 0; j < L->n; j++) newer += L->e[j].t > L->e[i].t || (L->e[j].t == L->e[i].t && j < i);
        if (newer >= keep) unlinkat(dfd, L->e[i].name, 0);
    }
}

/* keep the SG_CACHE_KEEP newest images and the SG_VERIFIED_KEEP newest
 * memos of checked files (verified_mark) */
static void prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    prune_list img, vm;
    img.n = vm.n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        int is_memo = l == 25 && !strncmp(de->d_name, "verified-", 9);
        if (!is_memo && (l < 10 || strncmp(de->d_name, "rules-", 6))) continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, 0)) continue;
        if (is_memo) prune_note(&vm, de->d_name, l, &st);
        else if (!strcmp(de->d_name + l - 4, ".tmp")) {   /* left by a run that died while writing */
            if (st.st_mtime < time(NULL) - 3600) unlinkat(dirfd(d), de->d_name, 0);
        } else if (!strcmp(de->d_name + l - 4, ".spc")) {
            prune_note(&img, de->d_name, l, &st);
        }
    }
    prune_keep(dirfd(d), &img, SG_CACHE_KEEP);
    prune_keep(dirfd(d), &vm, SG_VERIFIED_KEEP);
    closedir(d);
}

/* where the image starts in the file */
static uint64_t image_offset(const chead *h)
{
    return (sizeof *h + h->keylen + SG_IMAGE_ALIGN - 1) / SG_IMAGE_ALIGN * SG_IMAGE_ALIGN;
}

/* write the image of `rs` with `key` to `path` (through a temporary file
 * beside it and rename()) */
static int write_file(const sp_ruleset *rs, const sp_buf *key, uint64_t buildlen, const char *path)
{
    cw w;
    memset(&w, 0, sizeof w);
    w.rs = rs;
    sp_buf_init(&w.img);
    unsigned char *rx = NULL;
    PCRE2_SIZE rxlen = 0;
    int rc = -1, fd = -1;
    char tmp[4300];
    if (build_image(rs, &w)) goto out;
    if (rs->nre) {
        int32_t k = pcre2_serialize_encode((const pcre2_code **)rs->regexes, (int32_t)rs->nre, &rx, &rxlen, NULL);
        if (k != (int32_t)rs->nre) { rx = NULL; goto out; }
    }
    chead h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, SG_CACHE_MAGIC, 8);
    h.format = SG_CACHE_FORMAT;
    h.keylen = key->len;
    h.buildlen = buildlen;
    h.imglen = w.img.len;
    h.nrel = w.nrel;
    h.nrx = w.nrx;
    h.rxlen = rxlen;
    uint64_t c = 0;
    c = crc64_ecma_refl(c, (const unsigned char *)key->p, h.keylen);
    c = crc64_ecma_refl(c, (const unsigned char *)w.img.p, h.imglen);
    c = crc64_ecma_refl(c, (const unsigned char *)w.rx, w.nrx * sizeof *w.rx);
    if (rxlen) c = crc64_ecma_refl(c, rx, rxlen);
    h.crc = c;
    h.crc_rel = crc64_ecma_refl(0, (const unsigned char *)w.rel, w.nrel * sizeof *w.rel);
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= sizeof tmp) goto out;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) goto out;
    static const char zeros[SG_IMAGE_ALIGN];
    if (sp_write_all(fd, &h, sizeof h) || sp_write_all(fd, key->p, h.keylen) ||
        sp_write_all(fd, zeros, image_offset(&h) - sizeof h - h.keylen) || sp_write_all(fd, w.img.p, h.imglen) || sp_write_all(fd, w.rel, w.nrel * sizeof *w.rel) ||
        sp_write_all(fd, w.rx, w.nrx * sizeof *w.rx) || (rxlen && sp_write_all(fd, rx, rxlen))) {
        close(fd);
        fd = -1;
        unlink(tmp);
        goto out;
    }
    if (close(fd)) { fd = -1; unlink(tmp); goto out; }
    fd = -1;
    if (rename(tmp, path)) { unlink(tmp); goto out; }
    rc = 0;
out:
    if (rx) pcre2_serialize_free(rx);
    sp_buf_fini(&w.img);
    free(w.rel);
    free(w.rx);
    free(w.m);
    return rc;
}

int sg_cache_save(const sp_ruleset *rs)
{
    sp_buf key;
    sp_buf_init(&key);
    uint64_t buildlen;
    char path[4200];
    int rc = -1;
    if (!rs->cache_dir || make_key(rs, &key, &buildlen) || mkdirs(rs->cache_dir)) goto out;
    sg_routes_prebuild(rs);   /* runs from the image build none */
    cache_path(rs, &key, path, sizeof path);
    if (write_file(rs, &key, buildlen, path)) goto out;
    prune(rs->cache_dir);
    rc = 0;
out:
    sp_buf_fini(&key);
    return rc;
}

int sg_ruleset_save(const sp_ruleset *rs, const char *path)
{
    sp_buf key;
    sp_buf_init(&key);
    uint64_t buildlen;
    int rc = -1;
    if (!make_key(rs, &key, &buildlen)) {
        sg_routes_prebuild(rs);   /* runs from the image build none */
        rc = write_file(rs, &key, buildlen, path);
    }
    sp_buf_fini(&key);
    return rc;
}

/* ------------------------------------------------------------ reading */

static int pread_all(int fd, void *p, size_t n, uint64_t off)
{
    char *c = p;
    while (n) {
        ssize_t k = pread(fd, c, n, (off_t)off);
        if (k < 0) { if (errno == EINTR) continue; return -1; }
        if (k == 0) return -1;
        c += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t k = read(fd, c, n);
        if (k < 0) { if (errno == EINTR) continue; return -1; }
        if (k == 0) return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The image, mapped from the file: at SG_IMAGE_BASE when that is free
 * (*fixed = 1), else anywhere; private, so writes (relocations, regex
 * pointers) stay in this process. */
/* ThreadSanitizer keeps its shadow memory where SG_IMAGE_BASE lies and
 * aborts on a fixed mapping there: its builds relocate every image */
#if defined(__SANITIZE_THREAD__)
#define SG_NO_FIXED_MAP 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SG_NO_FIXED_MAP 1
#endif
#endif

static char *image_map(int fd, uint64_t off, size_t n, int *fixed)
{
    void *p;
#if defined(MAP_FIXED_NOREPLACE) && !defined(SG_NO_FIXED_MAP)
    p = mmap((void *)(uintptr_t)SG_IMAGE_BASE, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd,
                   (off_t)off);
    if (p != MAP_FAILED) {
        *fixed = p == (void *)(uintptr_t)SG_IMAGE_BASE;
        return p;
    }
#endif
    *fixed = 0;
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, (off_t)off);
    return p == MAP_FAILED ? NULL : p;
}

void sg_cache_image_free(void *image, size_t len)
{
    if (image) munmap(image, len);
}

/* Files whose CRC checked out: an empty file "verified-<hash>" in the cache
 * folder, the hash over the file's identity (device, inode, size,
 * modification and change times: any write through the file system changes
 * one of them) and its stored CRCs.  The CRC guards against damage (a cut
 * or flipped byte), not against a writer, who could write a matching CRC
 * as easily; the memo is as trusted as the cache folder's images.
 * Returns 1 known, 0 not known (*mark is where to note it), -1 no memo. */
static int verified_mark(const sp_ruleset *rs, const struct stat *st, const chead *h, char *mark, size_t cap)
{
    if (!rs->cache_dir) return -1;
    uint64_t id[9] = {(uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
                      (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec,
                      (uint64_t)st->st_ctim.tv_sec, (uint64_t)st->st_ctim.tv_nsec, h->crc, h->crc_rel};
    uint64_t v = crc64_ecma_refl(0, (const unsigned char *)id, sizeof id);
    if (snprintf(mark, cap, "%s/verified-%016llx", rs->cache_dir, (unsigned long long)v) >= (int)cap) return -1;
    return access(mark, F_OK) == 0;
}

static void verified_note(const sp_ruleset *rs, const char *mark)
{
    if (mkdirs(rs->cache_dir)) return;
    int fd = open(mark, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
    prune(rs->cache_dir);
}

#define WHY(msg) do { if (why) snprintf(why, whycap, "%s", msg); goto out; } while (0)

/* Read the image at `path` into `rs`.  The file's key must equal `key`
 * (build_only: its build part must equal `key`, which holds only that).
 * Returns 0, or -1 with the reason in why[whycap]. */
static int read_file(sp_ruleset *rs, const char *path, const sp_buf *key, int build_only, char *why, size_t whycap)
{
    char *kbuf = NULL, *img = NULL, *tail = NULL;
    size_t imglen = 0;
    pcre2_code **codes = NULL;
    int rc = -1, fd = -1;
    uint32_t ncodes = 0;
    if (why && whycap) why[0] = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) WHY(strerror(errno));
    struct stat st;
    chead h;
    if (fstat(fd, &st) || (uint64_t)st.st_size < sizeof h || read_all(fd, &h, sizeof h) ||
        memcmp(h.magic, SG_CACHE_MAGIC, 8))
        WHY("not a spoor compiled-rules file");
    if (h.format != SG_CACHE_FORMAT) WHY("written by another version of spoor: compile the rules again");
    uint64_t size = (uint64_t)st.st_size;
    /* sizes must add up exactly (each bounded by the file size first) */
    if (h.keylen > size || h.imglen > size || h.nrel > size / 8 || h.nrx > size / 8 || h.rxlen > size ||
        image_offset(&h) + h.imglen + 8 * h.nrel + 8 * h.nrx + h.rxlen != size || h.imglen < 8 + sizeof(sp_ruleset) ||
        (h.imglen & 7) || h.buildlen > h.keylen)
        WHY("damaged (its sizes do not add up)");
    if (build_only ? h.buildlen != key->len : h.keylen != key->len)
        WHY("written by another build of spoor: compile the rules again");
    kbuf = malloc(h.keylen ? h.keylen : 1);
    if (!kbuf) WHY("out of memory");
    if (read_all(fd, kbuf, h.keylen)) WHY("damaged (cut short)");
    if (memcmp(kbuf, key->p, key->len)) WHY("written by another build of spoor (or for other rule files)");
    imglen = h.imglen;
    int fixed;
    img = image_map(fd, image_offset(&h), imglen, &fixed);
    if (!img) WHY("cannot be mapped");
    /* the regex slots and codes; the relocations only when they are needed:
     * at its own address the image's pointers are right as they are (the
     * CRC vouches for them); elsewhere each is moved, bounds-checked */
    size_t rlen = fixed ? 0 : 8 * h.nrel, tlen = 8 * h.nrx + h.rxlen;
    uint64_t toff = image_offset(&h) + imglen + 8 * h.nrel;
    tail = malloc(rlen + tlen ? rlen + tlen : 1);
    if (!tail) WHY("out of memory");
    if (pread_all(fd, tail, rlen, toff - rlen) || pread_all(fd, tail + rlen, tlen, toff)) WHY("damaged (cut short)");
    /* the CRC-64 of the whole file: reading 22 MB (SigmaHQ) was half of a
     * load; a file that passed once, and is the same file unchanged since,
     * is remembered in the cache folder (verified_mark) */
    char vmark[4300];
    int vknown = verified_mark(rs, &st, &h, vmark, sizeof vmark);
    if (vknown <= 0) {
        uint64_t c = crc64_ecma_refl(0, (const unsigned char *)kbuf, h.keylen);
        c = crc64_ecma_refl(c, (const unsigned char *)img, imglen);
        c = crc64_ecma_refl(c, (const unsigned char *)tail + rlen, tlen);
        if (c != h.crc) WHY("damaged (checksum mismatch)");
        if (vknown == 0) verified_note(rs, vmark);
    }
    if (rlen && crc64_ecma_refl(0, (const unsigned char *)tail, rlen) != h.crc_rel)
        WHY("damaged (checksum mismatch)");
    const char *relp = tail, *rxp = tail + rlen, *rxb = rxp + 8 * h.nrx;
    for (uint64_t i = 0; !fixed && i < h.nrel; i++) {
        uint64_t slot, to;
        memcpy(&slot, relp + 8 * i, 8);
        if (slot & 7 || slot > h.imglen - 8) WHY("damaged (a relocation out of bounds)");
        memcpy(&to, img + slot, 8);
        to -= SG_IMAGE_BASE;
        if (!to || to >= h.imglen) WHY("damaged (a pointer out of bounds)");
        uintptr_t p = (uintptr_t)(img + to);
        memcpy(img + slot, &p, sizeof p);
    }
    sp_ruleset *root = (sp_ruleset *)(img + 8);
    if (root->nre) {
        if (!h.rxlen || (int32_t)root->nre != pcre2_serialize_get_number_of_codes((const uint8_t *)rxb))
            WHY("damaged (its regular expressions)");
        codes = calloc(root->nre, sizeof *codes);
        if (!codes) WHY("out of memory");
        if (pcre2_serialize_decode(codes, (int32_t)root->nre, (const uint8_t *)rxb, NULL) != (int32_t)root->nre) {
            free(codes);
            codes = NULL;
            WHY("damaged (its regular expressions)");
        }
        ncodes = root->nre;   /* JIT-compiled on first use (sg_regex_ready) */
    }
    /* regex values name their code by index (rs->regexes): checked, never
     * written (writing them made copies of ~160 pages of the mapped image) */
    for (uint64_t i = 0; i < h.nrx; i++) {
        uint64_t slot;
        uint32_t idx;
        memcpy(&slot, rxp + 8 * i, 8);
        if (slot & 3 || slot > h.imglen - 4) WHY("damaged (a relocation out of bounds)");
        memcpy(&idx, img + slot, 4);
        if (idx >= ncodes) WHY("damaged (a regular expression out of bounds)");
    }
    /* adopt: the root's compiled state; this ruleset's own options, arenas,
     * route table and file list stay (what it had compiled so far, the
     * logsource map, is released) */
    sg_ruleset_release(rs);
    sp_ruleset keep = *rs;
    *rs = *root;
    rs->ar = keep.ar;
    rs->tmp = keep.tmp;
    rs->ls_path = keep.ls_path;
    rs->ph_path = keep.ph_path;
    rs->cache_dir = keep.cache_dir;
    rs->placeholders = keep.placeholders;
    rs->cfiles = keep.cfiles;
    rs->ncfiles = keep.ncfiles;
    rs->cap_cfiles = keep.cap_cfiles;
    rs->rt = keep.rt;
    rs->compile_ns = keep.compile_ns;
    rs->regexes = codes;
    rs->nre = rs->cap_re = ncodes;
    rs->image = img;
    rs->image_len = imglen;
    rs->compiled = 1;
    sg_routes_adopt(rs, rs->img_routes, rs->nimg_routes);
    codes = NULL;
    img = NULL;
    rc = 0;
out:
    if (codes) {
        for (uint32_t i = 0; i < ncodes; i++) pcre2_code_free(codes[i]);
        free(codes);
    }
    if (img) sg_cache_image_free(img, imglen);
    free(kbuf);
    free(tail);
    if (fd >= 0) close(fd);
    return rc;
}
#undef WHY

int sg_cache_load(sp_ruleset *rs)
{
    sp_buf key;
    sp_buf_init(&key);
    uint64_t buildlen;
    char path[4200];
    int rc = -1;
    if (rs->cache_dir && !make_key(rs, &key, &buildlen)) {
        cache_path(rs, &key, path, sizeof path);
        rc = read_file(rs, path, &key, 0, NULL, 0);
    }
    sp_buf_fini(&key);
    return rc;
}

int sg_ruleset_load(sp_ruleset *rs, const char *path, char *why, size_t whycap)
{
    sp_buf key;
    sp_buf_init(&key);
    int rc = -1;
    if (key_build(&key)) {
        if (why && whycap) snprintf(why, whycap, "this build of spoor cannot identify itself (/proc/self/exe)");
    } else {
        rc = read_file(rs, path, &key, 1, why, whycap);
    }
    if (rc && why && whycap && !why[0]) snprintf(why, whycap, "out of memory");
    sp_buf_fini(&key);
    return rc;
}
