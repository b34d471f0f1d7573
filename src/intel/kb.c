/*
 * kb.c — the knowledge base: objects, name maps, the relationship index and
 * the public query functions.
 *
 * Query cost: sp_kb_object_at, sp_kb_links and sp_kb_report_at are array
 * reads; sp_kb_lookup is one hash probe (plus revoked-by hops).  kb_build
 * sorts the ~36,000 directed links of ATT&CK once per load call.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "intel/kb.h"

void kb_err(sp_error *err, const char *file, uint64_t off, const char *fmt, ...)
{
    if (!err) return;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

char *kb_strdup(sp_kb *kb, const char *s, size_t n)
{
    char *d = sp_arena_alloc(&kb->ar, n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np) return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* ------------------------------------------------------------------ map */

static inline unsigned char fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

static uint32_t hash_key(uint8_t kind, const char *s, size_t n)
{
    uint32_t h = 2166136261u ^ kind;
    for (size_t i = 0; i < n; i++) h = (h ^ fold((unsigned char)s[i])) * 16777619u;
    return h ? h : 1;
}

static int key_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[i])) return 0;
    return a[n] == 0;
}

static kb_ment *map_slot(const kb_map *m, uint8_t kind, const char *key, size_t n, uint32_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        kb_ment *e = &m->e[i];
        if (!e->key || (e->hash == h && e->kind == kind && key_eq(e->key, key, n))) return e;
    }
}

static int map_rehash(kb_map *m)
{
    size_t nc = m->cap ? m->cap * 2 : 1024;
    kb_ment *ne = calloc(nc, sizeof *ne), *old = m->e;
    if (!ne) return -1;
    size_t oc = m->cap;
    m->e = ne;
    m->cap = nc;
    for (size_t i = 0; i < oc; i++)
        if (old[i].key) *map_slot(m, old[i].kind, old[i].key, strlen(old[i].key), old[i].hash) = old[i];
    free(old);
    return 0;
}

static kb_ment *map_get(const kb_map *m, uint8_t kind, const char *key, size_t n)
{
    if (!m->cap) return NULL;
    kb_ment *e = map_slot(m, kind, key, n, hash_key(kind, key, n));
    return e->key ? e : NULL;
}

/* Insert; `key` must stay valid (arena).  Returns the entry (existing or new). */
static kb_ment *map_put(kb_map *m, uint8_t kind, const char *key, uint32_t idx)
{
    if ((m->n + 1) * 2 > m->cap && map_rehash(m)) return NULL;
    size_t n = strlen(key);
    uint32_t h = hash_key(kind, key, n);
    kb_ment *e = map_slot(m, kind, key, n, h);
    if (!e->key) {
        e->key = key;
        e->hash = h;
        e->kind = kind;
        e->idx = idx;
        m->n++;
    }
    return e;
}

static int obj_active(const sp_kb_object *o) { return !o->revoked && !o->deprecated; }

/* name an object: keep the existing mapping unless the new object is active
 * and the existing one is not */
static int name_put(sp_kb *kb, sp_kb_kind kind, const char *key, uint32_t idx)
{
    if (!*key) return 0;
    kb_ment *e = map_put(&kb->names, (uint8_t)kind, key, idx);
    if (!e) return -1;
    if (e->idx != idx && !obj_active(&kb->k[kind].v[e->idx]) && obj_active(&kb->k[kind].v[idx])) e->idx = idx;
    return 0;
}

uint32_t kb_find(const sp_kb *kb, sp_kb_kind kind, const char *key, size_t len)
{
    const kb_ment *e = map_get(&kb->names, (uint8_t)kind, key, len);
    return e ? e->idx : KB_NONE;
}

/* -------------------------------------------------------------- objects */

static const char *const empty_list[1] = {NULL};

uint32_t kb_add_obj(sp_kb *kb, sp_kb_kind kind, const char *id, const char *name,
                    const char *const *aliases, size_t naliases, int revoked, int deprecated)
{
    kb_objs *K = &kb->k[kind];
    size_t total = 0;
    for (int k = 0; k < SP_KB__KINDS; k++) total += kb->k[k].n;
    if (total >= SP_KB_MAX_OBJECTS || naliases > SP_KB_MAX_ALIASES) return KB_NONE;
    if (grow((void **)&K->v, &K->cap, K->n + 1, sizeof *K->v)) return KB_NONE;
    if (kind == SP_KB_TECHNIQUE && grow((void **)&kb->tactic_raw, &kb->tactic_raw_cap, K->n + 1, sizeof *kb->tactic_raw))
        return KB_NONE;
    uint32_t idx = (uint32_t)K->n;
    sp_kb_object *o = &K->v[idx];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->id = kb_strdup(kb, id, strlen(id));
    o->name = kb_strdup(kb, name, strlen(name));
    if (!o->id || !o->name) return KB_NONE;
    o->revoked = revoked;
    o->deprecated = deprecated;
    o->revoked_by = SIZE_MAX;
    o->parent = SIZE_MAX;
    o->in_attack = 1;
    o->aliases = empty_list;
    o->shortname = o->first_seen = o->last_seen = "";
    if (kind == SP_KB_TECHNIQUE) kb->tactic_raw[idx] = "";
    K->n++;
    if (name_put(kb, kind, o->id, idx) || name_put(kb, kind, o->name, idx)) return KB_NONE;
    if (naliases && kb_add_aliases(kb, kind, idx, aliases, naliases)) return KB_NONE;
    return idx;
}

int kb_add_aliases(sp_kb *kb, sp_kb_kind kind, uint32_t i, const char *const *aliases, size_t n)
{
    sp_kb_object *o = &kb->k[kind].v[i];
    if (o->naliases + n > SP_KB_MAX_ALIASES) return -1;
    const char **na = sp_arena_alloc(&kb->ar, (o->naliases + n + 1) * sizeof *na);
    if (!na) return -1;
    size_t k = 0;
    for (size_t j = 0; j < o->naliases; j++) na[k++] = o->aliases[j];
    for (size_t j = 0; j < n; j++) {
        size_t l = strlen(aliases[j]);
        int dup = !l || key_eq(o->name, aliases[j], l) || key_eq(o->id, aliases[j], l);
        for (size_t m = 0; m < k && !dup; m++) dup = key_eq(na[m], aliases[j], l);
        if (dup) continue;
        na[k] = kb_strdup(kb, aliases[j], l);
        if (!na[k] || name_put(kb, kind, na[k], i)) return -1;
        k++;
    }
    na[k] = NULL;
    o->aliases = na;
    o->naliases = k;
    return 0;
}

int kb_set_tactics(sp_kb *kb, uint32_t t, const char *raw, size_t len)
{
    const char *s = kb_strdup(kb, raw, len);
    if (!s) return -1;
    kb->tactic_raw[t] = s;
    return 0;
}

uint32_t kb_add_report(sp_kb *kb, const char *source, size_t slen, const char *url, size_t ulen, int from_profile)
{
    char tmp[SP_KB_MAX_STR + 8];
    const char *key;
    size_t klen;
    if (ulen) { key = url; klen = ulen; }
    else {
        if (slen > SP_KB_MAX_STR) slen = SP_KB_MAX_STR;
        memcpy(tmp, "name:", 5);
        memcpy(tmp + 5, source, slen);
        key = tmp;
        klen = slen + 5;
    }
    kb_ment *e = map_get(&kb->report_keys, 0, key, klen);
    if (e) return e->idx;
    if (kb->nreports >= SP_KB_MAX_REPORTS) return KB_NONE;
    if (grow((void **)&kb->reports, &kb->cap_reports, kb->nreports + 1, sizeof *kb->reports)) return KB_NONE;
    sp_kb_report *r = &kb->reports[kb->nreports];
    r->source = kb_strdup(kb, source, slen);
    r->url = kb_strdup(kb, url, ulen);
    r->from_profile = from_profile;
    char *k = kb_strdup(kb, key, klen);
    if (!r->source || !r->url || !k || !map_put(&kb->report_keys, 0, k, (uint32_t)kb->nreports)) return KB_NONE;
    return (uint32_t)kb->nreports++;
}

int kb_add_rel(sp_kb *kb, int type, sp_kb_kind sk, uint32_t s, sp_kb_kind tk, uint32_t t,
               const uint32_t *reps, size_t nrep, int from_profile)
{
    if (kb->nrels >= SP_KB_MAX_RELS || nrep > SP_KB_MAX_REL_REPORTS) return -1;
    if (grow((void **)&kb->rels, &kb->cap_rels, kb->nrels + 1, sizeof *kb->rels) ||
        grow((void **)&kb->rep_pool, &kb->cap_rep_pool, kb->nrep_pool + nrep + 1, sizeof *kb->rep_pool))
        return -1;
    kb_rel *r = &kb->rels[kb->nrels++];
    r->type = (uint8_t)type;
    r->skind = (uint8_t)sk;
    r->tkind = (uint8_t)tk;
    r->from_profile = (uint8_t)from_profile;
    r->s = s;
    r->t = t;
    r->rep_off = (uint32_t)kb->nrep_pool;
    r->nrep = (uint32_t)nrep;
    if (nrep) memcpy(kb->rep_pool + kb->nrep_pool, reps, nrep * sizeof *reps);
    kb->nrep_pool += nrep;
    return 0;
}

int kb_rel_ok(int type, sp_kb_kind sk, sp_kb_kind tk)
{
    switch (type) {
    case KB_R_USES:
        return (sk == SP_KB_GROUP || sk == SP_KB_CAMPAIGN || sk == SP_KB_SOFTWARE) &&
               (tk == SP_KB_TECHNIQUE || (tk == SP_KB_SOFTWARE && sk != SP_KB_SOFTWARE));
    case KB_R_ATTRIBUTED_TO: return sk == SP_KB_CAMPAIGN && tk == SP_KB_GROUP;
    case KB_R_SUBTECHNIQUE_OF: return sk == SP_KB_TECHNIQUE && tk == SP_KB_TECHNIQUE;
    case KB_R_REVOKED_BY: return sk == tk;
    default: return 0;
    }
}

void kb_count_rel(sp_kb *kb, int type, sp_kb_kind sk, sp_kb_kind tk)
{
    sp_kb_stats *st = &kb->st;
    switch (type) {
    case KB_R_USES:
        if (sk == SP_KB_GROUP) { if (tk == SP_KB_TECHNIQUE) st->uses_group_technique++; else st->uses_group_software++; }
        else if (sk == SP_KB_CAMPAIGN) { if (tk == SP_KB_TECHNIQUE) st->uses_campaign_technique++; else st->uses_campaign_software++; }
        else st->uses_software_technique++;
        break;
    case KB_R_ATTRIBUTED_TO: st->attributed_to++; break;
    case KB_R_SUBTECHNIQUE_OF: st->subtechnique_of++; break;
    default: st->revoked_by++; break;
    }
}

/* ---------------------------------------------------------------- index */

typedef struct edge {
    uint8_t kind, slot, from_attack, from_profile;
    uint32_t obj, target, rep_off, nrep;
} edge;

static int edge_cmp(const void *a, const void *b)
{
    const edge *x = a, *y = b;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    if (x->obj != y->obj) return x->obj < y->obj ? -1 : 1;
    if (x->slot != y->slot) return x->slot < y->slot ? -1 : 1;
    if (x->target != y->target) return x->target < y->target ? -1 : 1;
    return 0;
}

static uint8_t slot_of(int rel, int target_kind) { return (uint8_t)(rel * SP_KB__KINDS + target_kind); }

static int resolve_tactics(sp_kb *kb)
{
    kb_objs *T = &kb->k[SP_KB_TECHNIQUE], *A = &kb->k[SP_KB_TACTIC];
    size_t total = 0;
    for (size_t i = 0; i < T->n; i++)
        for (const char *p = kb->tactic_raw[i]; *p; p++) total += *p == ',';
    total += T->n;
    free(kb->tactic_pool);
    kb->tactic_pool = malloc((total + 1) * sizeof *kb->tactic_pool);
    if (!kb->tactic_pool) return -1;
    size_t k = 0;
    for (size_t i = 0; i < T->n; i++) {
        sp_kb_object *o = &T->v[i];
        o->tactics = kb->tactic_pool + k;
        o->ntactics = 0;
        const char *p = kb->tactic_raw[i];
        while (*p) {
            const char *e = strchr(p, ',');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            for (size_t a = 0; a < A->n && l; a++)
                if (strlen(A->v[a].shortname) == l && !memcmp(A->v[a].shortname, p, l)) {
                    kb->tactic_pool[k++] = (uint32_t)a;
                    o->ntactics++;
                    break;
                }
            p += l + (e != NULL);
        }
    }
    return 0;
}

int kb_build(sp_kb *kb)
{
    for (int k = 0; k < SP_KB__KINDS; k++)
        for (size_t i = 0; i < kb->k[k].n; i++) { kb->k[k].v[i].revoked_by = SIZE_MAX; kb->k[k].v[i].parent = SIZE_MAX; }
    size_t ne = 0;
    for (size_t i = 0; i < kb->nrels; i++) {
        const kb_rel *r = &kb->rels[i];
        if (r->type == KB_R_REVOKED_BY && r->skind == r->tkind) kb->k[r->skind].v[r->s].revoked_by = r->t;
        else if (r->type == KB_R_SUBTECHNIQUE_OF && r->skind == SP_KB_TECHNIQUE && r->tkind == SP_KB_TECHNIQUE)
            kb->k[SP_KB_TECHNIQUE].v[r->s].parent = r->t;
        else if (r->type == KB_R_USES || r->type == KB_R_ATTRIBUTED_TO) ne += 2;
    }
    if (resolve_tactics(kb)) return -1;
    edge *E = malloc((ne + 1) * sizeof *E);
    if (!E) return -1;
    size_t n = 0;
    for (size_t i = 0; i < kb->nrels; i++) {
        const kb_rel *r = &kb->rels[i];
        int fwd, rev;
        if (r->type == KB_R_USES) { fwd = SP_KB_USES; rev = SP_KB_USED_BY; }
        else if (r->type == KB_R_ATTRIBUTED_TO) { fwd = SP_KB_ATTRIBUTED_TO; rev = SP_KB_ATTRIBUTED; }
        else continue;
        edge a = {r->skind, slot_of(fwd, r->tkind), !r->from_profile, r->from_profile, r->s, r->t, r->rep_off, r->nrep};
        edge b = {r->tkind, slot_of(rev, r->skind), !r->from_profile, r->from_profile, r->t, r->s, r->rep_off, r->nrep};
        E[n++] = a;
        E[n++] = b;
    }
    qsort(E, n, sizeof *E, edge_cmp);
    /* merge duplicates; their report lists are unioned */
    free(kb->links);
    free(kb->link_rep);
    kb->links = NULL;
    kb->nlinks = 0;
    size_t nrep = 0;
    for (size_t i = 0; i < n; i++) nrep += E[i].nrep;
    kb->links = malloc((n + 1) * sizeof *kb->links);
    kb->link_rep = malloc((nrep + 1) * sizeof *kb->link_rep);
    uint8_t *lk = malloc((n + 1) * sizeof *lk);
    uint32_t *lo = malloc((n + 1) * sizeof *lo);
    if (!kb->links || !kb->link_rep || !lk || !lo) { free(E); free(lk); free(lo); return -1; }
    size_t nl = 0, rp = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        sp_kb_link *L = &kb->links[nl];
        L->target = E[i].target;
        L->from_attack = L->from_profile = 0;
        size_t start = rp;
        for (; j < n && !edge_cmp(&E[i], &E[j]); j++) {
            L->from_attack |= E[j].from_attack;
            L->from_profile |= E[j].from_profile;
            for (uint32_t q = 0; q < E[j].nrep; q++) {
                uint32_t rk = kb->rep_pool[E[j].rep_off + q];
                int dup = 0;
                for (size_t z = start; z < rp && !dup; z++) dup = kb->link_rep[z] == rk;
                if (!dup) kb->link_rep[rp++] = rk;
            }
        }
        L->nreports = rp - start;
        L->reports = (const uint32_t *)(uintptr_t)start;   /* made a pointer below */
        lk[nl] = E[i].kind;
        lo[nl] = E[i].obj * KB_NSLOT + E[i].slot;
        nl++;
        i = j;
    }
    for (size_t i = 0; i < nl; i++) kb->links[i].reports = kb->link_rep + (uintptr_t)kb->links[i].reports;
    kb->nlinks = nl;
    /* offsets per kind: links are sorted by (kind, obj, slot) */
    size_t li = 0;
    for (int k = 0; k < SP_KB__KINDS; k++) {
        size_t cells = kb->k[k].n * KB_NSLOT;
        free(kb->off[k]);
        kb->off[k] = malloc((cells + 1) * sizeof *kb->off[k]);
        if (!kb->off[k]) { free(E); free(lk); free(lo); return -1; }
        for (size_t c = 0; c <= cells; c++) {
            while (li < nl && lk[li] == k && lo[li] < c) li++;
            kb->off[k][c] = (uint32_t)li;
        }
        while (li < nl && lk[li] == k) li++;
    }
    free(E);
    free(lk);
    free(lo);
    return 0;
}

void kb_clear(sp_kb *kb)
{
    for (int k = 0; k < SP_KB__KINDS; k++) { free(kb->k[k].v); free(kb->off[k]); }
    free(kb->tactic_raw);
    free(kb->rels);
    free(kb->rep_pool);
    free(kb->reports);
    free(kb->names.e);
    free(kb->report_keys.e);
    free(kb->links);
    free(kb->link_rep);
    free(kb->tactic_pool);
    free(kb->profiles);
    free(kb->rej);
    sp_arena_fini(&kb->ar);
    memset(kb, 0, sizeof *kb);
    sp_arena_init(&kb->ar, 1 << 20);
    kb->st.attack_version = kb->st.attack_source = kb->st.attack_format = kb->st.notice = "";
}

/* ------------------------------------------------------------ public API */

sp_status sp_kb_new(sp_kb **out)
{
    if (!out) return SP_ERR_ARG;
    sp_kb *kb = calloc(1, sizeof *kb);
    if (!kb) return SP_ERR_NOMEM;
    kb_clear(kb);
    *out = kb;
    return SP_OK;
}

void sp_kb_free(sp_kb *kb)
{
    if (!kb) return;
    kb_clear(kb);
    sp_arena_fini(&kb->ar);
    free(kb);
}

double kb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static sp_status load_attack(sp_kb *kb, const char *path, const void *mem, size_t memlen, const char *name, sp_error *err)
{
    if (!kb || (!path && !mem)) return SP_ERR_ARG;
    if (kb->attack_loaded || kb->nprofiles) {
        kb_err(err, name, UINT64_MAX, "ATT&CK must be loaded once, before any profile");
        return SP_ERR_ARG;
    }
    sp_error local;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    double t0 = kb_now_ms();
    char *text = NULL;
    size_t len = 0;
    if (kb_read_input(path, mem, memlen, &text, &len, err)) return err->sys_errno ? SP_ERR_IO : SP_ERR_FORMAT;
    size_t p = 0;
    while (p < len && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r' || text[p] == '\n')) p++;
    if (p + 3 <= len && !memcmp(text + p, "\xef\xbb\xbf", 3)) p += 3;
    int rc;
    if (p < len && text[p] == '{') rc = kb_load_stix(kb, text + p, len - p, name, path, err);
    else rc = kb_load_kbfile(kb, text, len, name, err);
    free(text);
    if (!rc && kb_build(kb)) { kb_err(err, name, UINT64_MAX, "out of memory"); rc = SP_ERR_NOMEM; }
    if (rc) {
        kb_clear(kb);
        return rc == SP_ERR_NOMEM ? SP_ERR_NOMEM : SP_ERR_FORMAT;
    }
    kb->attack_loaded = 1;
    kb->st.attack_source = kb_strdup(kb, name, strlen(name));
    if (!kb->st.attack_source) kb->st.attack_source = "";
    kb->st.attack_load_ms = kb_now_ms() - t0;
    return SP_OK;
}

sp_status sp_kb_load_attack(sp_kb *kb, const char *path, sp_error *err)
{
    if (!path) return SP_ERR_ARG;
    return load_attack(kb, path, NULL, 0, path, err);
}

sp_status sp_kb_load_attack_mem(sp_kb *kb, const void *data, size_t len, const char *name, sp_error *err)
{
    if (!data) return SP_ERR_ARG;
    return load_attack(kb, NULL, data, len, name ? name : "(memory)", err);
}

size_t sp_kb_rejection_count(const sp_kb *kb) { return kb ? kb->nrej : 0; }

const sp_kb_rejection *sp_kb_rejection_at(const sp_kb *kb, size_t i)
{
    return kb && i < kb->nrej ? &kb->rej[i] : NULL;
}

void sp_kb_get_stats(const sp_kb *kb, sp_kb_stats *out)
{
    *out = kb->st;
    for (int k = 0; k < SP_KB__KINDS; k++) {
        out->objects[k] = out->active[k] = 0;
        for (size_t i = 0; i < kb->k[k].n; i++) {
            const sp_kb_object *o = &kb->k[k].v[i];
            if (!o->in_attack) { if (obj_active(o)) out->groups_profile_only++; continue; }
            out->objects[k]++;
            if (!obj_active(o)) continue;
            out->active[k]++;
            if (k == SP_KB_TECHNIQUE && o->subtechnique) out->subtechniques_active++;
            if (k == SP_KB_SOFTWARE) { if (o->is_tool) out->tools_active++; else out->malware_active++; }
        }
    }
    out->reports = kb->nreports;
    out->profiles = kb->nprofiles;
    out->profiles_rejected = kb->nrej;
}

size_t sp_kb_count(const sp_kb *kb, sp_kb_kind kind)
{
    return kb && (unsigned)kind < SP_KB__KINDS ? kb->k[kind].n : 0;
}

const sp_kb_object *sp_kb_object_at(const sp_kb *kb, sp_kb_kind kind, size_t i)
{
    if (!kb || (unsigned)kind >= SP_KB__KINDS || i >= kb->k[kind].n) return NULL;
    return &kb->k[kind].v[i];
}

int sp_kb_lookup(const sp_kb *kb, sp_kb_kind kind, const char *name, size_t *index)
{
    if (!kb || !name || (unsigned)kind >= SP_KB__KINDS) return 0;
    size_t l = strlen(name);
    while (l && (name[l - 1] == ' ' || name[l - 1] == '\t')) l--;
    while (l && (*name == ' ' || *name == '\t')) { name++; l--; }
    uint32_t i = kb_find(kb, kind, name, l);
    if (i == KB_NONE) return 0;
    for (int hop = 0; hop < 16 && kb->k[kind].v[i].revoked_by != SIZE_MAX; hop++)
        i = (uint32_t)kb->k[kind].v[i].revoked_by;
    if (index) *index = i;
    return 1;
}

size_t sp_kb_links(const sp_kb *kb, sp_kb_kind kind, size_t i, sp_kb_rel rel, sp_kb_kind target,
                   const sp_kb_link **out)
{
    if (out) *out = NULL;
    if (!kb || (unsigned)kind >= SP_KB__KINDS || (unsigned)rel >= SP_KB__RELS || (unsigned)target >= SP_KB__KINDS ||
        i >= kb->k[kind].n || !kb->off[kind])
        return 0;
    size_t c = i * KB_NSLOT + slot_of(rel, target);
    uint32_t a = kb->off[kind][c], b = kb->off[kind][c + 1];
    if (out) *out = kb->links + a;
    return b - a;
}

const sp_kb_report *sp_kb_report_at(const sp_kb *kb, uint32_t key)
{
    return kb && key < kb->nreports ? &kb->reports[key] : NULL;
}

const sp_kb_claim *sp_kb_claim_find(const sp_kb_profile *p, const char *field, const char *value)
{
    if (!p || !field) return NULL;
    for (size_t i = 0; i < p->nclaims; i++)
        if (!strcmp(p->claims[i].field, field) && (!value || !strcasecmp(p->claims[i].value, value))) return &p->claims[i];
    return NULL;
}

const char *sp_kb_kind_name(sp_kb_kind kind)
{
    static const char *const n[] = {"group", "software", "technique", "tactic", "campaign"};
    return (unsigned)kind < SP_KB__KINDS ? n[kind] : "?";
}
