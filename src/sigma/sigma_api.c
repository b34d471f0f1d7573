/*
 * sigma_api.c — the public Sigma functions of spoor.h: building a ruleset
 * (load, resolve filters and correlations, route, index) and scanning
 * events with per-thread scanners.
 *
 * Ownership: sp_ruleset_new returns a ruleset the caller frees with
 * sp_ruleset_free, after every scanner made from it is freed.  Scanners are
 * owned by the caller (sp_scanner_free).  Detection records handed to the
 * callback are borrowed for the callback's duration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sigma/sigma.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void set_err(sp_error *err, const char *file, const char *msg)
{
    if (!err) return;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->offset = UINT64_MAX;
    snprintf(err->msg, sizeof err->msg, "%s", msg);
}

static sp_status load_placeholders(sp_ruleset *rs, const char *path, sp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) { set_err(err, path, "cannot open placeholder config"); if (err) err->sys_errno = errno; return SP_ERR_IO; }
    char *buf = malloc(SP_SIGMA_MAX_FILE + 1);
    sp_status st = SP_ERR_FORMAT;
    if (!buf) { st = SP_ERR_NOMEM; goto out; }
    size_t n = fread(buf, 1, SP_SIGMA_MAX_FILE + 1, f);
    if (n > SP_SIGMA_MAX_FILE) { set_err(err, path, "placeholder config too large"); st = SP_ERR_LIMIT; goto out; }
    char msg[300];
    ydocs d;
    /* parsed into the ruleset arena: kept for the ruleset's life */
    if (sy_parse(&rs->ar, buf, n, &d, msg, sizeof msg)) { set_err(err, path, msg); goto out; }
    const ynode *root = d.n ? d.doc[0] : NULL;
    const ynode *m = sy_get(root, "placeholders");
    if (!m) m = root;
    if (!m || m->kind != YN_MAP) { set_err(err, path, "placeholder config must be a map name -> list of values"); goto out; }
    rs->placeholders = m;
    st = SP_OK;
out:
    free(buf);
    fclose(f);
    return st;
}

/* an empty ruleset: arenas (of `block`-byte blocks) and the route table */
static sp_ruleset *ruleset_alloc(size_t block)
{
    sp_ruleset *rs = calloc(1, sizeof *rs);
    if (!rs) return NULL;
    sp_arena_init(&rs->ar, block);
    sp_arena_init(&rs->tmp, block);
    if (sg_routes_init(rs)) { sp_ruleset_free(rs); return NULL; }
    return rs;
}

/* the ruleset keeps opts' cache folder (none when unset or ""); -1: no memory */
static int set_cache_dir(sp_ruleset *rs, const sp_sigma_opts *opts)
{
    if (!opts || !opts->cache_dir || !opts->cache_dir[0]) return 0;
    rs->cache_dir = sg_strdup(&rs->ar, opts->cache_dir, strlen(opts->cache_dir));
    return rs->cache_dir ? 0 : -1;
}

sp_status sp_ruleset_new(const sp_sigma_opts *opts, sp_ruleset **out, sp_error *err)
{
    *out = NULL;
    sp_ruleset *rs = ruleset_alloc(1 << 20);
    if (!rs) return SP_ERR_NOMEM;
    uint64_t t0 = now_ns();
    sp_status st = SP_ERR_NOMEM;
    /* what the cache key names (sigma_cache.c) */
    if (opts && opts->logsource_config && !(rs->ls_path = sg_strdup(&rs->ar, opts->logsource_config, strlen(opts->logsource_config)))) goto fail;
    if (opts && opts->placeholder_config && !(rs->ph_path = sg_strdup(&rs->ar, opts->placeholder_config, strlen(opts->placeholder_config)))) goto fail;
    if (set_cache_dir(rs, opts)) goto fail;
    st = SP_OK;
    if (sg_logsources_load(rs, opts ? opts->logsource_config : NULL, err)) { st = SP_ERR_FORMAT; goto fail; }
    if (opts && opts->placeholder_config && (st = load_placeholders(rs, opts->placeholder_config, err)) != SP_OK) goto fail;
    rs->compile_ns += now_ns() - t0;
    *out = rs;
    return SP_OK;
fail:
    sp_ruleset_free(rs);
    return st;
}

sp_status sp_ruleset_add_path(sp_ruleset *rs, const char *path, sp_error *err)
{
    if (!rs || !path) return SP_ERR_ARG;
    if (rs->compiled) { set_err(err, path, "ruleset already compiled"); return SP_ERR_ARG; }
    if (err) memset(err, 0, sizeof *err);
    uint64_t t0 = now_ns();
    int rc = sg_load_path(rs, path, 0, err);
    rs->compile_ns += now_ns() - t0;
    return rc ? (err && err->sys_errno ? SP_ERR_IO : SP_ERR_NOMEM) : SP_OK;
}

sp_status sp_ruleset_add_yaml(sp_ruleset *rs, const char *name, const char *text, size_t len, sp_error *err)
{
    if (!rs || !text) return SP_ERR_ARG;
    if (rs->compiled) { set_err(err, name, "ruleset already compiled"); return SP_ERR_ARG; }
    uint64_t t0 = now_ns();
    if (rs->cache_dir && !rs->no_cache) {   /* text is not cached: files noted so far load now, in order */
        rs->no_cache = 1;
        if (err) memset(err, 0, sizeof *err);
        if (sg_load_noted(rs, err)) { rs->compile_ns += now_ns() - t0; return err && err->sys_errno ? SP_ERR_IO : SP_ERR_NOMEM; }
    }
    int rc = sg_load_text(rs, name ? name : "(text)", text, len);
    rs->compile_ns += now_ns() - t0;
    if (rc) { set_err(err, name, "out of memory"); return SP_ERR_NOMEM; }
    return SP_OK;
}

/* ------------------------------------------------------------ compile */

static int reject_rule(sp_ruleset *rs, sg_rule *r, const char *reason)
{
    if (rs->nrej == rs->cap_rej) {
        uint32_t nc = rs->cap_rej ? rs->cap_rej * 2 : 64;
        sg_reject *n = realloc(rs->rej, nc * sizeof *n);
        if (!n) return -1;
        rs->rej = n;
        rs->cap_rej = nc;
    }
    sg_reject *x = &rs->rej[rs->nrej++];
    x->file = r->info.file;
    x->id = r->info.id;
    x->title = r->info.title;
    x->reason = sg_strdup(&rs->ar, reason, strlen(reason));
    if (!x->reason) x->reason = "out of memory";
    r->kind = 0;   /* removed at compaction */
    return 0;
}

static int32_t find_ref(const sp_ruleset *rs, const char *ref)
{
    for (uint32_t i = 0; i < rs->nrules; i++) if (rs->rules[i].kind && !strcmp(rs->rules[i].info.id, ref)) return (int32_t)i;
    for (uint32_t i = 0; i < rs->nrules; i++) if (rs->rules[i].kind && !strcmp(rs->rules[i].info.name, ref)) return (int32_t)i;
    for (uint32_t i = 0; i < rs->nrules; i++) if (rs->rules[i].kind && !strcmp(rs->rules[i].info.title, ref)) return (int32_t)i;
    return -1;
}

static int corr_depth(const sp_ruleset *rs, uint32_t r, int depth)
{
    if (depth > SP_SIGMA_MAX_CORR_DEPTH) return depth;
    const sg_rule *R = &rs->rules[r];
    if (R->kind != RK_CORRELATION) return depth;
    int m = depth;
    for (uint32_t i = 0; i < R->corr->nrefs; i++) {
        int d = corr_depth(rs, R->corr->ref_rule[i], depth + 1);
        if (d > m) m = d;
        if (m > SP_SIGMA_MAX_CORR_DEPTH) break;
    }
    return m;
}

static int lsfield_ok(const char *flt, const char *rule)
{
    return !flt || !*flt || (rule && !strcasecmp(flt, rule));
}

static int apply_filters(sp_ruleset *rs)
{
    for (uint32_t f = 0; f < rs->nfilters; f++) {
        const sg_filter *F = &rs->filters[f];
        for (uint32_t r = 0; r < rs->nrules; r++) {
            sg_rule *R = &rs->rules[r];
            if (R->kind != RK_DETECTION) continue;
            int named = F->rules_any;
            for (uint32_t k = 0; k < F->nrules && !named; k++)
                if (!strcmp(F->rules[k], R->info.id) || (*R->info.name && !strcmp(F->rules[k], R->info.name)) ||
                    !strcmp(F->rules[k], R->info.title))
                    named = 1;
            if (!named) continue;
            if (!lsfield_ok(F->product, R->info.product) || !lsfield_ok(F->category, R->info.category) ||
                !lsfield_ok(F->service, R->info.service))
                continue;
            sg_node **nf = sp_arena_alloc(&rs->ar, (R->nfilters + 1) * sizeof *nf);
            if (!nf) return -1;
            if (R->nfilters) memcpy(nf, R->filters, R->nfilters * sizeof *nf);
            nf[R->nfilters++] = F->cond;
            R->filters = nf;
            rs->nfilt_applied++;
        }
    }
    return 0;
}

static int resolve_correlations(sp_ruleset *rs)
{
    char msg[400];
    /* drop correlations with unknown references until stable */
    int changed = 1;
    while (changed) {
        changed = 0;
        for (uint32_t r = 0; r < rs->nrules; r++) {
            sg_rule *R = &rs->rules[r];
            if (R->kind != RK_CORRELATION) continue;
            for (uint32_t i = 0; i < R->corr->nrefs; i++) {
                int32_t t = find_ref(rs, R->corr->refs[i]);
                if (t < 0 || (uint32_t)t == r) {
                    snprintf(msg, sizeof msg, "correlation: rule '%.100s' %s", R->corr->refs[i],
                             t < 0 ? "is not loaded (or was rejected)" : "refers to the correlation itself");
                    if (reject_rule(rs, R, msg)) return -1;
                    changed = 1;
                    break;
                }
            }
        }
    }
    /* compact */
    uint32_t k = 0;
    for (uint32_t r = 0; r < rs->nrules; r++)
        if (rs->rules[r].kind) rs->rules[k++] = rs->rules[r];
    rs->nrules = k;
    rs->ncorr = 0;
    for (uint32_t r = 0; r < rs->nrules; r++) {
        sg_rule *R = &rs->rules[r];
        if (R->kind != RK_CORRELATION) continue;
        for (uint32_t i = 0; i < R->corr->nrefs; i++) R->corr->ref_rule[i] = (uint32_t)find_ref(rs, R->corr->refs[i]);
    }
    /* cycles / depth */
    for (uint32_t r = 0; r < rs->nrules; r++) {
        sg_rule *R = &rs->rules[r];
        if (R->kind == RK_CORRELATION && corr_depth(rs, r, 0) > SP_SIGMA_MAX_CORR_DEPTH) {
            snprintf(msg, sizeof msg, "correlation: chain deeper than %d or cyclic", SP_SIGMA_MAX_CORR_DEPTH);
            if (reject_rule(rs, R, msg)) return -1;
        }
    }
    k = 0;
    int removed = 0;
    for (uint32_t r = 0; r < rs->nrules; r++) {
        if (rs->rules[r].kind) rs->rules[k++] = rs->rules[r];
        else removed = 1;
    }
    rs->nrules = k;
    if (removed) return resolve_correlations(rs);   /* indexes moved: resolve again */
    /* users and suppression */
    uint32_t *cnt = calloc(rs->nrules ? rs->nrules : 1, sizeof *cnt);
    uint8_t *gen = calloc(rs->nrules ? rs->nrules : 1, 1);
    if (!cnt || !gen) { free(cnt); free(gen); return -1; }
    for (uint32_t r = 0; r < rs->nrules; r++) {
        sg_rule *R = &rs->rules[r];
        if (R->kind != RK_CORRELATION) continue;
        rs->ncorr++;
        for (uint32_t i = 0; i < R->corr->nrefs; i++) {
            cnt[R->corr->ref_rule[i]]++;
            if (R->corr->generate) gen[R->corr->ref_rule[i]] = 1;
        }
    }
    for (uint32_t r = 0; r < rs->nrules; r++) {
        sg_rule *R = &rs->rules[r];
        R->ncorr_users = 0;
        R->corr_users = NULL;
        if (!cnt[r]) continue;
        R->suppressed = !gen[r];
        R->corr_users = sp_arena_alloc(&rs->ar, cnt[r] * sizeof *R->corr_users);
        if (!R->corr_users) { free(cnt); free(gen); return -1; }
    }
    for (uint32_t r = 0; r < rs->nrules; r++) {
        sg_rule *R = &rs->rules[r];
        if (R->kind != RK_CORRELATION) continue;
        for (uint32_t i = 0; i < R->corr->nrefs; i++) {
            sg_rule *T = &rs->rules[R->corr->ref_rule[i]];
            int dup = 0;
            for (uint32_t q = 0; q < T->ncorr_users; q++) if (T->corr_users[q] == r) dup = 1;
            if (!dup) T->corr_users[T->ncorr_users++] = r;
        }
    }
    free(cnt);
    free(gen);
    return 0;
}

sp_status sp_ruleset_compile(sp_ruleset *rs, sp_error *err)
{
    if (!rs) return SP_ERR_ARG;
    if (rs->compiled) return SP_OK;
    uint64_t t0 = now_ns();
    sp_status st = SP_ERR_NOMEM;
    int caching = rs->cache_dir && !rs->no_cache;
    if (caching) {
        if (rs->ncfiles && sg_cache_load(rs) == 0) {
            rs->cache_state = SP_RULE_CACHE_READ;
            rs->compile_ns += now_ns() - t0;
            return SP_OK;
        }
        if (err) memset(err, 0, sizeof *err);
        if (sg_load_noted(rs, err)) {
            rs->compile_ns += now_ns() - t0;
            return err && err->sys_errno ? SP_ERR_IO : SP_ERR_NOMEM;
        }
    }
    if (apply_filters(rs) || resolve_correlations(rs)) goto out;
    rs->nunmapped_rules = 0;
    for (uint32_t r = 0; r < rs->nrules; r++) {
        sg_rule *R = &rs->rules[r];
        if (R->kind != RK_DETECTION) continue;
        if (sg_route_rule(rs, R)) goto out;
        if (R->unmapped) rs->nunmapped_rules++;
    }
    if (sg_build_index(rs) || sg_build_prefilter(rs) || sg_invert_lists(rs)) goto out;
    rs->compiled = 1;
    st = SP_OK;
    if (caching && rs->ncfiles)
        rs->cache_state = sg_cache_save(rs) == 0 ? SP_RULE_CACHE_WRITTEN : SP_RULE_CACHE_UNWRITTEN;
out:
    rs->compile_ns += now_ns() - t0;
    if (st != SP_OK) set_err(err, "", "out of memory while compiling rules");
    return st;
}

static void clist_free(sg_clist *l) { free(l->c); free(l->nolit); free(l->post); free(l->lmap); }

static void chan_free(sg_chan *c)
{
    for (uint32_t i = 0; i < c->neid; i++) clist_free(&c->by_eid[i].l);
    free(c->by_eid);
    clist_free(&c->any_eid);
}

void sg_ruleset_release(sp_ruleset *rs)
{
    for (uint32_t i = 0; i < rs->nre; i++) pcre2_code_free(rs->regexes[i]);
    free(rs->regexes);
    rs->regexes = NULL;
    rs->nre = 0;
    if (rs->image) {   /* read from the cache: the arrays live in the image */
        sg_cache_image_free(rs->image, rs->image_len);
        rs->image = NULL;
        return;
    }
    if (rs->chans)
        for (uint32_t i = 0; i < rs->chan_cap; i++) if (rs->chans[i].name) chan_free(&rs->chans[i]);
    free(rs->chans);
    chan_free(&rs->anychan);
    free(rs->unmapped);
    free(rs->fname);
    free(rs->fname_len);
    free(rs->fhash);
    free(rs->rules);
    free(rs->filters);
    free(rs->rej);
    free(rs->lit);
    free(rs->lit_len);
    free(rs->lhash);
    sg_prefilter_free(rs);
    free(rs->scan_hash);
    free(rs->fnh);
}

void sp_ruleset_free(sp_ruleset *rs)
{
    if (!rs) return;
    sg_routes_fini(rs);
    sg_ruleset_release(rs);
    free(rs->cfiles);
    sp_arena_fini(&rs->ar);
    sp_arena_fini(&rs->tmp);
    free(rs);
}

sp_status sp_ruleset_save(const sp_ruleset *rs, const char *path, sp_error *err)
{
    if (!rs || !path) return SP_ERR_ARG;
    if (err) memset(err, 0, sizeof *err);
    if (!rs->compiled) { set_err(err, path, "the ruleset is not compiled"); return SP_ERR_ARG; }
    errno = 0;
    if (sg_ruleset_save(rs, path)) {
        int e = errno;
        set_err(err, path, e ? strerror(e) : "out of memory, or this build cannot read its own executable");
        if (err) err->sys_errno = e;
        return e ? SP_ERR_IO : SP_ERR_NOMEM;
    }
    return SP_OK;
}

sp_status sp_ruleset_load(const char *path, const sp_sigma_opts *opts, sp_ruleset **out, sp_error *err)
{
    if (!out || !path) return SP_ERR_ARG;
    *out = NULL;
    if (err) memset(err, 0, sizeof *err);
    /* no logsource map of its own: the file brings the one it was compiled with */
    sp_ruleset *rs = ruleset_alloc(1 << 12);
    if (!rs) return SP_ERR_NOMEM;
    if (set_cache_dir(rs, opts)) {
        sp_ruleset_free(rs);
        return SP_ERR_NOMEM;
    }
    uint64_t t0 = now_ns();
    char why[160];
    if (sg_ruleset_load(rs, path, why, sizeof why)) {
        int io = access(path, R_OK) != 0;
        set_err(err, path, why);
        if (err && io) err->sys_errno = errno;
        sp_ruleset_free(rs);
        return io ? SP_ERR_IO : SP_ERR_FORMAT;
    }
    rs->compile_ns = now_ns() - t0;
    rs->cache_state = SP_RULE_CACHE_FILE;
    *out = rs;
    return SP_OK;
}

void sp_ruleset_get_stats(const sp_ruleset *rs, sp_ruleset_stats *out)
{
    memset(out, 0, sizeof *out);
    out->loaded = rs->nrules;
    out->rejected = rs->nrej;
    out->correlations = rs->ncorr;
    out->filters = rs->nfilters;
    out->unmapped = rs->nunmapped_rules;
    out->literals = rs->nlit;
    out->compile_ms = (double)rs->compile_ns / 1e6;
    out->cache = rs->cache_state;
}

size_t sp_ruleset_count(const sp_ruleset *rs) { return rs->nrules; }

const sp_rule_info *sp_ruleset_rule(const sp_ruleset *rs, size_t i)
{
    return i < rs->nrules ? &rs->rules[i].info : NULL;
}

size_t sp_ruleset_rejection_count(const sp_ruleset *rs) { return rs->nrej; }

int sp_ruleset_rejection(const sp_ruleset *rs, size_t i, sp_rule_rejection *out)
{
    if (i >= rs->nrej) return -1;
    out->file = rs->rej[i].file ? rs->rej[i].file : "";
    out->id = rs->rej[i].id ? rs->rej[i].id : "";
    out->title = rs->rej[i].title ? rs->rej[i].title : "";
    out->reason = rs->rej[i].reason;
    return 0;
}

/* ------------------------------------------------------------ scanner */

sp_status sp_scanner_new(const sp_ruleset *rs, sp_scanner **out)
{
    *out = NULL;
    if (!rs || !rs->compiled) return SP_ERR_ARG;
    sp_scanner *sc = calloc(1, sizeof *sc);
    if (!sc) return SP_ERR_NOMEM;
    sc->rs = rs;
    sp_arena_init(&sc->ar, 64 << 10);
    sc->fc = sp_calloc_touched(rs->nfields ? rs->nfields : 1, sizeof *sc->fc);
    sc->fv = malloc(SP_SIGMA_MAX_EVENT_FIELDS * sizeof *sc->fv);
    sc->rule_epoch = sp_calloc_touched(rs->nrules ? rs->nrules : 1, sizeof *sc->rule_epoch);
    sc->lit_on = sp_calloc_touched(rs->nlit / 64 + 1, sizeof *sc->lit_on);
    sc->lit_mask = sp_calloc_touched(rs->nlit ? rs->nlit : 1, sizeof *sc->lit_mask);
    sc->cand_epoch = sp_calloc_touched(rs->ncands ? rs->ncands : 1, sizeof *sc->cand_epoch);
    sc->md = pcre2_match_data_create(1, NULL);
    sc->mctx = pcre2_match_context_create(NULL);
    sc->corr_enabled = 1;
    if (!sc->fc || !sc->fv || !sc->rule_epoch || !sc->lit_on || !sc->lit_mask || !sc->cand_epoch || !sc->md || !sc->mctx || sg_corr_init(sc)) {
        sp_scanner_free(sc);
        return SP_ERR_NOMEM;
    }
    pcre2_set_match_limit(sc->mctx, SP_SIGMA_RE_MATCH_LIMIT);
    pcre2_set_depth_limit(sc->mctx, SP_SIGMA_RE_DEPTH_LIMIT);
    *out = sc;
    return SP_OK;
}

void sp_scanner_free(sp_scanner *sc)
{
    if (!sc) return;
    sg_corr_fini(sc);
    free(sc->fc);
    free(sc->rule_epoch);
    free(sc->lit_on);
    free(sc->lit_mask);
    sg_rrefs_free(sc);
    for (size_t i = 0; i < sizeof sc->tcache / sizeof *sc->tcache; i++) free(sc->tcache[i].e);
    free(sc->cand_epoch);
    free(sc->hits);
    free(sc->fv);
    if (sc->md) pcre2_match_data_free(sc->md);
    if (sc->mctx) pcre2_match_context_free(sc->mctx);
    sp_arena_fini(&sc->ar);
    free(sc);
}

void sp_scanner_set_correlation(sp_scanner *sc, int on) { sc->corr_enabled = on != 0; }

void sp_scanner_set_corr_sink(sp_scanner *sc, sp_corr_sink_fn fn, void *user)
{
    sc->corr_sink = fn;
    sc->corr_sink_user = user;
}

sp_status sp_scanner_corr_feed(sp_scanner *sc, size_t rule, int64_t time_ms, const char *const *fields,
                               const char *const *values, size_t n, sp_detect_fn fn, void *user)
{
    if (!sc || rule >= sc->rs->nrules) return SP_ERR_ARG;
    return sg_corr_feed_values(sc, (uint32_t)rule, time_ms, fields, values, n, fn, user) ? SP_ERR_ABORT : SP_OK;
}

static int64_t event_ms(sp_scanner *sc)
{
    if (sc->ev_ms != INT64_MIN + 1) return sc->ev_ms;
    int64_t t = sc->ev->time_unix_ms ? sc->ev->time_unix_ms(sc->ev->ev) : INT64_MIN;
    if (t == INT64_MIN) {
        static const char *const names[] = {"TimeCreated_SystemTime", "@timestamp", "timestamp", "UtcTime", "EventTime"};
        for (size_t i = 0; i < sizeof names / sizeof *names && t == INT64_MIN; i++) {
            const sg_fval **fv;
            if (sg_lookup_name(sc, names[i], strlen(names[i]), &fv)) {
                int64_t v;
                if (!sp_parse_iso_ms(fv[0]->v.str, fv[0]->v.len, &v)) t = v;
            }
        }
    }
    sc->ev_ms = t;
    return t;
}

int64_t sg_event_ms(sp_scanner *sc) { return event_ms(sc); }

/* 1 = stop */
static int try_rule(sp_scanner *sc, uint32_t r, const sg_lsvar *var, sp_detect_fn fn, void *user)
{
    const sp_ruleset *rs = sc->rs;
    const sg_rule *R = &rs->rules[r];
    if (sc->rule_epoch[r] == sc->epoch) return 0;
    if (var && (var->nprov || var->nm) && !sg_var_accepts(sc, var)) return 0;
    if (R->needs_hi) {
        sg_scan_literals(sc);   /* lowercases (and looks at) every field the rule could match in */
        if (!sc->any_hi) return 0;
    }
    if (R->nlits) {
        sg_scan_literals(sc);
        uint32_t i = 0;
        for (; i < R->nlits; i++) if (sg_lit_on(sc, R->lits[i])) break;
        if (i == R->nlits) return 0;
        for (uint32_t c = 0, at = 0; c < R->nxcl; at = R->xcl_end[c++]) {
            uint32_t k = at;
            while (k < R->xcl_end[c] && !sg_lit_on(sc, R->xlits[k])) k++;
            if (k == R->xcl_end[c]) return 0;
        }
    }
    sc->var = var;
    int ok = sg_eval(sc, R->cond, 0);
    for (uint32_t f = 0; ok && f < R->nfilters; f++) ok = sg_eval(sc, R->filters[f], 0);
    sc->var = NULL;
    if (!ok) return 0;
    sc->rule_epoch[r] = sc->epoch;
    if (!R->suppressed && fn) {
        sp_detection d;
        memset(&d, 0, sizeof d);
        d.rule = &R->info;
        d.rule_index = r;
        d.time_ms = event_ms(sc);
        d.first_ms = d.time_ms;
        d.count = 1;
        if (fn(user, &d)) return 1;
    }
    if (R->ncorr_users && sc->corr_enabled) return sg_corr_feed(sc, r, fn, user, 0);
    if (R->ncorr_users && sc->corr_sink) {
        /* two-stage correlation: hand over what the correlations will need */
        const char *f[32], *v[32];
        char *tmp[32];
        uint32_t nf = sg_corr_fields(sc->rs, r, f, 32), k = 0;
        for (uint32_t i = 0; i < nf; i++) {
            const sg_fval **fv;
            if (!sg_lookup_name(sc, f[i], strlen(f[i]), &fv)) continue;
            size_t l = fv[0]->v.len > SP_SIGMA_MAX_GROUP_VALUE ? SP_SIGMA_MAX_GROUP_VALUE : fv[0]->v.len;
            tmp[k] = sp_arena_alloc(&sc->ar, l + 1);
            if (!tmp[k]) continue;
            if (l) memcpy(tmp[k], fv[0]->v.str, l);
            tmp[k][l] = 0;
            f[k] = f[i];
            v[k] = tmp[k];
            k++;
        }
        return sc->corr_sink(sc->corr_sink_user, r, event_ms(sc), f, v, k);
    }
    return 0;
}

static int hint_matches(const sg_rule *R, const sp_event *ev)
{
    const sp_rule_info *in = &R->info;
    if (*in->product && (!ev->product || strcasecmp(in->product, ev->product))) return 0;
    if (*in->category && (!ev->category || strcasecmp(in->category, ev->category))) return 0;
    if (*in->service && (!ev->service || strcasecmp(in->service, ev->service))) return 0;
    return 1;
}

static inline int try_cand(sp_scanner *sc, const sg_clist *l, uint32_t i, sp_detect_fn fn, void *user)
{
    uint32_t *stamp = &sc->cand_epoch[l->cand_base + i];
    if (*stamp == sc->epoch) return 0;
    *stamp = sc->epoch;
    const sg_rule *R = &sc->rs->rules[l->c[i].rule];
    return try_rule(sc, l->c[i].rule, R->vars[l->c[i].var], fn, user);
}

/* The list's candidates that can match this event: those without a required
 * literal, and those named by a literal the event contains (see sg_clist). */
static int run_list(sp_scanner *sc, const sg_clist *l, sp_detect_fn fn, void *user)
{
    if (!l || !l->n) return 0;
    if (!l->lmap_cap) {
        for (uint32_t i = 0; i < l->n; i++)
            if (try_cand(sc, l, i, fn, user)) return 1;
        return 0;
    }
    for (uint32_t k = 0; k < l->nnolit; k++)
        if (try_cand(sc, l, l->nolit[k], fn, user)) return 1;
    if (l->nnolit == l->n) return 0;
    sg_scan_literals(sc);
    for (uint32_t h = 0; h < sc->nhits; h++) {
        uint32_t cnt;
        const uint32_t *p = sg_clist_lit(l, sc->hits[h], &cnt);
        for (uint32_t k = 0; k < cnt; k++)
            if (try_cand(sc, l, p[k], fn, user)) return 1;
    }
    return 0;
}

static int get_text(sp_scanner *sc, const char *name, size_t nl, char *buf, size_t cap, size_t *len, int64_t *iv, int *isint)
{
    const sp_event *ev = sc->ev;
    sp_value v;
    memset(&v, 0, sizeof v);
    size_t n = 0;
    if (ev->field) n = ev->field(ev->ev, name, nl, &v, 1);
    else {
        const sg_fval **fv;
        if (sg_lookup_name(sc, name, nl, &fv)) { v = fv[0]->v; n = 1; }
    }
    if (!n) return 0;
    size_t l = v.len < cap ? v.len : cap;
    if (l && v.str) memcpy(buf, v.str, l);
    *len = l;
    *isint = v.is_int;
    *iv = v.i;
    return 1;
}

/* an EventID value as routing reads it: a typed integer, or decimal text
 * (strtoul, the whole text) */
static int eid_of(int isint, int64_t iv, const char *t, size_t n, uint32_t *out)
{
    if (isint) { *out = (uint32_t)iv; return 1; }
    char b[32];
    if (!n || n >= sizeof b) return 0;
    memcpy(b, t, n);
    b[n] = 0;
    char *e;
    unsigned long v = strtoul(b, &e, 10);
    if (e == b || *e) return 0;
    *out = (uint32_t)v;
    return 1;
}

sp_status sp_scanner_match_event(sp_scanner *sc, const sp_event *ev, sp_detect_fn fn, void *user)
{
    if (!sc || !ev) return SP_ERR_ARG;
    const sp_ruleset *rs = sc->rs;
    sg_scanner_begin_event(sc, ev);
    sc->ev_ms = INT64_MIN + 1;   /* not computed yet */
    sc->scan_all = 1;
    if (ev->product || ev->category || ev->service) {
        for (uint32_t r = 0; r < rs->nrules; r++) {
            const sg_rule *R = &rs->rules[r];
            if (R->kind == RK_DETECTION && hint_matches(R, ev) && try_rule(sc, r, NULL, fn, user)) return SP_ERR_ABORT;
        }
        return SP_OK;
    }
    char ch[256];
    size_t chn = 0;
    int64_t iv = 0;
    int isint = 0, has_ch, has_eid;
    has_ch = get_text(sc, "Channel", 7, ch, sizeof ch, &chn, &iv, &isint);
    sg_lower(ch, chn);
    /* every EventID value: System's, and a UserData element of that name
     * (EventProcessingFailure, ...) is one too */
    sp_value ids[SP_SIGMA_MAX_FIELD_VALUES];
    uint32_t nv = 0, eid = 0;
    if (ev->field) {
        size_t n = ev->field(ev->ev, "EventID", 7, ids, SP_SIGMA_MAX_FIELD_VALUES);
        nv = (uint32_t)(n < SP_SIGMA_MAX_FIELD_VALUES ? n : SP_SIGMA_MAX_FIELD_VALUES);
    } else {
        const sg_fval **fv;
        nv = sg_lookup_name(sc, "EventID", 7, &fv);
        for (uint32_t i = 0; i < nv; i++) ids[i] = fv[i]->v;
    }
    has_eid = nv && eid_of(ids[0].is_int, ids[0].i, ids[0].str, ids[0].len, &eid);
    const sg_chan *c = has_ch ? sg_chan_find(rs, ch, chn) : NULL;
    const sg_clist *lists[4];
    uint32_t nl = sg_route_lists(rs, c, has_eid, eid, lists);
    /* literals are looked for per field, by the route's prefilters; an
     * event with several EventIDs uses the all-literal prefilter, over
     * every field when a routed rule searches keywords */
    sc->route = nv < 2 ? sg_route_get(sc, lists, nl) : NULL;
    sc->scan_all = 0;
    for (uint32_t k = 0; k < nl; k++) if (lists[k]->has_kw) sc->scan_all = 1;
    for (uint32_t k = 0; k < nl; k++)
        if (run_list(sc, lists[k], fn, user)) return SP_ERR_ABORT;
    /* Rules are filed under the event ids their detection requires
     * (sigma_index.c), and a rule's EventID matches any EventID value of the
     * event.  Try the lists of every other id the event carries. */
    if (!rs->eid_narrowed || nv < 2) return SP_OK;
    const sg_chan *chans[2] = {c, &rs->anychan};
    for (uint32_t i = 0; i < nv; i++) {
        uint32_t id, other;
        if (!eid_of(ids[i].is_int, ids[i].i, ids[i].str, ids[i].len, &id)) continue;
        int seen = has_eid && id == eid;
        for (uint32_t j = 0; j < i && !seen; j++)
            seen = eid_of(ids[j].is_int, ids[j].i, ids[j].str, ids[j].len, &other) && other == id;
        if (seen) continue;
        for (int k = 0; k < 2; k++) {
            const sg_chan *C = chans[k];
            if (C && C->neid && run_list(sc, sg_eid_find(C, id), fn, user)) return SP_ERR_ABORT;
        }
    }
    return SP_OK;
}

sp_status sp_scanner_match_record(sp_scanner *sc, const sp_record *rec, sp_detect_fn fn, void *user)
{
    sp_event ev;
    sp_event_from_record(&ev, rec);
    return sp_scanner_match_event(sc, &ev, fn, user);
}

sp_status sp_scanner_flush(sp_scanner *sc, sp_detect_fn fn, void *user)
{
    if (!sc) return SP_ERR_ARG;
    return sg_corr_flush(sc, fn, user) ? SP_ERR_ABORT : SP_OK;
}
