/*
 * model.c — the ATT&CK part of the attribution model.
 *
 * Features: every technique, every technique *family* (a sub-technique's
 * parent, or the technique itself), every software object, and every
 * malware / tool name that profiles give but ATT&CK lacks (GREASE2, ...).
 *
 * A group is a weight vector over features (its "profile"):
 *   - technique and software it `uses` (ATT&CK, and profiles unless
 *     excluded): 1 + report_bonus * ln(reports citing it), so a behaviour
 *     several reports corroborate counts for more;
 *   - the family of each of its techniques, with the same weight;
 *   - the techniques of the software it uses: sw_expand (software does
 *     what its code does, whoever runs it);
 *   - the techniques and software of campaigns attributed to it: campaign;
 *   - software that one of the group's own reports analyses (the report
 *     cites the software's technique links) although no `uses` link says
 *     so: sw_report;
 *   - profile malware names: 1.
 * Every link's citations pass through the exclusion: a held-out report is
 * not counted, and a link every citation of which is held out is dropped
 * (docs/attribution.md, "leakage").
 *
 * Scoring is Dirichlet-smoothed query likelihood (a multinomial language
 * model per group, smoothed towards the background of all groups):
 *   llr(i, g) = ln( (c_gi + mu * bg_i) / ((|g| + mu) * bg_i) )
 * which is the log-likelihood ratio of seeing feature i from group g rather
 * than from "an average actor".  Rare features (few groups) have small bg_i,
 * so a match is worth much more than a match of a feature most groups have:
 * the IDF-like effect.  Large profiles are not rewarded for size: a group's
 * mass is spread over everything it does.
 *
 * Nearest past report: the group's evidence is also kept per cited report
 * (and per attributed campaign) as a document; knn * the best cosine (IDF^2
 * weights) between the query and one of its documents is added.  It rewards
 * "this looks like that earlier report about the group", which a pooled
 * profile dilutes.  swknn * the best cosine between the query's techniques
 * and the techniques of a software the group uses is added too ("what was
 * seen is what that tool does").  In the query, software weighs software_q
 * techniques, an ATT&CK `tool` (net, arp, PsExec: what anyone may run)
 * tool_q of that; a feature no group has weighs the same for every group
 * (llr_novel), so it speaks for the unknown actor without favouring small
 * profiles.  (mode 1, BM25, and jm, Jelinek-Mercer smoothing, are kept for
 * comparison in `spoor bench attribution --param`.)
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr/attr_int.h"

const attr_params attr_default_params = {
    .mu = 3.5,
    .jm = 0.0,
    .mode = 0,
    .k1 = 1.2,
    .b = 0.75,
    .knn = 4.0,
    .swknn = 1.0,
    .sw_report = 0.3,
    .family = 0.5,
    .sw_expand = 0.3,
    .campaign = 0.7,
    .report_bonus = 0.3,
    .software_q = 1.5,
    .tool_q = 0.5,
    .prior_gamma = 0.5,
    .temperature = 2.5,
};

static int active(const sp_kb_object *o) { return o && !o->revoked && !o->deprecated; }

void attr_model_free(attr_model *m)
{
    if (!m) return;
    free(m->gidx); free(m->c); free(m->gsum); free(m->bg); free(m->logbg); free(m->idf); free(m->logprior);
    free(m->nreports); free(m->df); free(m->tfam);
    free(m->doc_k); free(m->doc_rep); free(m->doc_off); free(m->doc_f); free(m->doc_norm); free(m->idf2);
    free(m->swd_off); free(m->swd_f); free(m->swd_norm);
    for (size_t i = 0; i < m->nm; i++) free(m->mname[i]);
    free(m->mname);
    memset(m, 0, sizeof *m);
}

size_t attr_model_malware(const attr_model *m, const char *name)
{
    for (size_t i = 0; i < m->nm; i++)
        if (attr_ci_eq(m->mname[i], name)) return i;
    return SIZE_MAX;
}

/* the kept citations of a link: -1 dropped, else how many (0 = cites none) */
static int kept_reports(const sp_kb *kb, const sp_kb_link *l, const attr_excl *ex, uint32_t *stamp, uint32_t mark,
                        uint32_t *ndistinct)
{
    if (ex && ex->no_profiles && !l->from_attack) return -1;
    if (!l->nreports) return 0;
    int kept = 0;
    for (size_t i = 0; i < l->nreports; i++) {
        uint32_t r = l->reports[i];
        if (ex && ex->report_out && r < ex->nreports && ex->report_out[r]) continue;
        if (ex && ex->no_profiles) {
            const sp_kb_report *rep = sp_kb_report_at(kb, r);
            if (rep && rep->from_profile) continue;
        }
        kept++;
        if (stamp && stamp[r] != mark) { stamp[r] = mark; (*ndistinct)++; }
    }
    return kept ? kept : -1;
}

int attr_link_kept(const sp_kb *kb, const sp_kb_link *l, const attr_excl *ex)
{
    return kept_reports(kb, l, ex, NULL, 0, NULL);
}

static inline void setmax(float *v, double w) { if (w > *v) *v = (float)w; }

static void add_technique(attr_model *m, float *row, size_t t, double w)
{
    setmax(&row[am_ft(m, t)], w);
    setmax(&row[am_ffam(m, t)], w);
}

typedef struct dtrip { uint32_t k, r, f; } dtrip;
typedef struct dtv { dtrip *v; size_t n, cap; } dtv;

static int dt_add(dtv *d, uint32_t k, uint32_t r, uint32_t f)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 4096;
        dtrip *q = realloc(d->v, nc * sizeof *q);
        if (!q) return -1;
        d->v = q;
        d->cap = nc;
    }
    d->v[d->n++] = (dtrip){k, r, f};
    return 0;
}

static int dt_cmp(const void *a, const void *b)
{
    const dtrip *x = a, *y = b;
    if (x->k != y->k) return x->k < y->k ? -1 : 1;
    if (x->r != y->r) return x->r < y->r ? -1 : 1;
    return x->f < y->f ? -1 : x->f > y->f;
}

/* the kept citations of a link, each a document the item belongs to */
static int dt_link(dtv *d, const sp_kb *kb, const sp_kb_link *l, const attr_excl *ex, uint32_t k, uint32_t f1, uint32_t f2)
{
    if (ex && ex->no_profiles && !l->from_attack) return 0;
    for (size_t i = 0; i < l->nreports; i++) {
        uint32_t r = l->reports[i];
        if (ex && ex->report_out && r < ex->nreports && ex->report_out[r]) continue;
        if (ex && ex->no_profiles) {
            const sp_kb_report *rep = sp_kb_report_at(kb, r);
            if (rep && rep->from_profile) continue;
        }
        if (dt_add(d, k, r, f1) || (f2 != UINT32_MAX && dt_add(d, k, r, f2))) return -1;
    }
    return 0;
}

/* ---------------------------------------------- documents and cosines
 * Past reports (build_docs) and software behaviours (build_sw_docs) are
 * both feature lists compared with the query by cosine, IDF^2-weighted, a
 * family feature counting `family`. */

static inline double feat_w(const attr_model *m, uint32_t f)
{
    return (f >= m->nt && f < 2 * m->nt) ? m->p.family : 1.0;
}

/* the norm of a document's feature list */
static double doc_norm(const attr_model *m, const uint32_t *f, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) { double w = feat_w(m, f[i]); s += w * w * m->idf2[f[i]]; }
    return sqrt(s);
}

/* the query as a dense vector over features below `below` (its norm in
 * *qn); NULL on memory */
static double *dense_query(const attr_model *m, const attr_query *q, size_t below, double *qn)
{
    double *qd = calloc(m->nf ? m->nf : 1, sizeof *qd);
    if (!qd) return NULL;
    double s = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (q->f[i] >= below) continue;
        qd[q->f[i]] = q->w[i];
        s += q->w[i] * q->w[i] * m->idf2[q->f[i]];
    }
    *qn = sqrt(s);
    return qd;
}

/* cosine of the dense query (norm qn) with a document (norm dn) */
static double doc_cos(const attr_model *m, const double *qd, double qn, const uint32_t *f, size_t n, double dn)
{
    if (qn <= 0 || dn <= 0) return 0;
    double dot = 0;
    for (size_t i = 0; i < n; i++)
        if (qd[f[i]] != 0) dot += qd[f[i]] * feat_w(m, f[i]) * m->idf2[f[i]];
    return dot > 0 ? dot / (qn * dn) : 0;
}

static int build_docs(attr_model *m, const sp_kb *kb, const attr_excl *ex)
{
    dtv d = {0};
    int profiles = !(ex && ex->no_profiles);
    for (size_t k = 0; k < m->ng; k++) {
        size_t g = m->gidx[k];
        const sp_kb_link *L;
        size_t n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, SP_KB_TECHNIQUE, &L);
        for (size_t i = 0; i < n; i++)
            if (active(sp_kb_object_at(kb, SP_KB_TECHNIQUE, L[i].target)) &&
                dt_link(&d, kb, &L[i], ex, (uint32_t)k, (uint32_t)am_ft(m, L[i].target), (uint32_t)am_ffam(m, L[i].target)))
                goto nomem;
        n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, SP_KB_SOFTWARE, &L);
        for (size_t i = 0; i < n; i++)
            if (active(sp_kb_object_at(kb, SP_KB_SOFTWARE, L[i].target)) &&
                dt_link(&d, kb, &L[i], ex, (uint32_t)k, (uint32_t)am_fsw(m, L[i].target), UINT32_MAX))
                goto nomem;
        n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_ATTRIBUTED, SP_KB_CAMPAIGN, &L);
        for (size_t i = 0; i < n; i++) {
            size_t cmp = L[i].target;
            if ((ex && cmp == ex->campaign_out) || !active(sp_kb_object_at(kb, SP_KB_CAMPAIGN, cmp))) continue;
            if (kept_reports(kb, &L[i], ex, NULL, 0, NULL) < 0) continue;
            uint32_t r = (uint32_t)(m->nrep + cmp);
            const sp_kb_link *C;
            size_t nc = sp_kb_links(kb, SP_KB_CAMPAIGN, cmp, SP_KB_USES, SP_KB_TECHNIQUE, &C);
            for (size_t j = 0; j < nc; j++)
                if (active(sp_kb_object_at(kb, SP_KB_TECHNIQUE, C[j].target)) && kept_reports(kb, &C[j], ex, NULL, 0, NULL) >= 0 &&
                    (dt_add(&d, (uint32_t)k, r, (uint32_t)am_ft(m, C[j].target)) ||
                     dt_add(&d, (uint32_t)k, r, (uint32_t)am_ffam(m, C[j].target))))
                    goto nomem;
            nc = sp_kb_links(kb, SP_KB_CAMPAIGN, cmp, SP_KB_USES, SP_KB_SOFTWARE, &C);
            for (size_t j = 0; j < nc; j++)
                if (active(sp_kb_object_at(kb, SP_KB_SOFTWARE, C[j].target)) && kept_reports(kb, &C[j], ex, NULL, 0, NULL) >= 0 &&
                    dt_add(&d, (uint32_t)k, r, (uint32_t)am_fsw(m, C[j].target)))
                    goto nomem;
        }
        (void)profiles;
    }
    if (d.n) qsort(d.v, d.n, sizeof *d.v, dt_cmp);
    size_t nd = 0, nf = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (i && d.v[i].k == d.v[i - 1].k && d.v[i].r == d.v[i - 1].r && d.v[i].f == d.v[i - 1].f) continue;
        if (!i || d.v[i].k != d.v[i - 1].k || d.v[i].r != d.v[i - 1].r) nd++;
        nf++;
    }
    m->doc_k = malloc((nd + 1) * sizeof *m->doc_k);
    m->doc_rep = malloc((nd + 1) * sizeof *m->doc_rep);
    m->doc_off = malloc((nd + 1) * sizeof *m->doc_off);
    m->doc_f = malloc((nf + 1) * sizeof *m->doc_f);
    m->doc_norm = calloc(nd + 1, sizeof *m->doc_norm);
    if (!m->doc_k || !m->doc_rep || !m->doc_off || !m->doc_f || !m->doc_norm) goto nomem;
    size_t di = SIZE_MAX, fi = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (i && d.v[i].k == d.v[i - 1].k && d.v[i].r == d.v[i - 1].r && d.v[i].f == d.v[i - 1].f) continue;
        if (!i || d.v[i].k != d.v[i - 1].k || d.v[i].r != d.v[i - 1].r) {
            di = di == SIZE_MAX ? 0 : di + 1;
            m->doc_k[di] = d.v[i].k;
            m->doc_rep[di] = d.v[i].r;
            m->doc_off[di] = (uint32_t)fi;
        }
        m->doc_f[fi++] = d.v[i].f;
    }
    m->ndoc = nd;
    m->doc_off[nd] = (uint32_t)fi;
    for (size_t i = 0; i < nd; i++) m->doc_norm[i] = doc_norm(m, m->doc_f + m->doc_off[i], m->doc_off[i + 1] - m->doc_off[i]);
    free(d.v);
    return 0;
nomem:
    free(d.v);
    return -1;
}

static int u32cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* every software's kept technique links, as a document of technique and
 * family features */
static int build_sw_docs(attr_model *m, const sp_kb *kb, const attr_excl *ex)
{
    size_t tot = 0;
    for (size_t s = 0; s < m->ns; s++) {
        const sp_kb_link *T;
        tot += 2 * sp_kb_links(kb, SP_KB_SOFTWARE, s, SP_KB_USES, SP_KB_TECHNIQUE, &T);
    }
    m->swd_off = malloc((m->ns + 1) * sizeof *m->swd_off);
    m->swd_f = malloc((tot + 1) * sizeof *m->swd_f);
    m->swd_norm = calloc(m->ns + 1, sizeof *m->swd_norm);
    if (!m->swd_off || !m->swd_f || !m->swd_norm) return -1;
    size_t n = 0;
    for (size_t s = 0; s < m->ns; s++) {
        m->swd_off[s] = (uint32_t)n;
        if (!active(sp_kb_object_at(kb, SP_KB_SOFTWARE, s))) continue;
        const sp_kb_link *T;
        size_t nt = sp_kb_links(kb, SP_KB_SOFTWARE, s, SP_KB_USES, SP_KB_TECHNIQUE, &T);
        size_t start = n;
        for (size_t j = 0; j < nt; j++) {
            if (!active(sp_kb_object_at(kb, SP_KB_TECHNIQUE, T[j].target))) continue;
            if (kept_reports(kb, &T[j], ex, NULL, 0, NULL) < 0) continue;
            m->swd_f[n++] = (uint32_t)am_ft(m, T[j].target);
            m->swd_f[n++] = (uint32_t)am_ffam(m, T[j].target);
        }
        qsort(m->swd_f + start, n - start, sizeof *m->swd_f, u32cmp);
        size_t w = start;
        for (size_t j = start; j < n; j++)
            if (j == start || m->swd_f[j] != m->swd_f[j - 1]) m->swd_f[w++] = m->swd_f[j];
        n = w;
        m->swd_norm[s] = doc_norm(m, m->swd_f + start, n - start);
    }
    m->swd_off[m->ns] = (uint32_t)n;
    return 0;
}

/* per group: the best cosine of the query with the behaviour of a tool the
 * group uses, times how firmly it uses it */
int attr_swknn(const attr_model *m, const attr_query *q, double *best, size_t *which)
{
    double qn;
    double *qd = dense_query(m, q, 2 * m->nt, &qn);      /* techniques and families only */
    double *cs = calloc(m->ns ? m->ns : 1, sizeof *cs);
    if (!qd || !cs) { free(qd); free(cs); return -1; }
    for (size_t s = 0; s < m->ns; s++)
        cs[s] = doc_cos(m, qd, qn, m->swd_f + m->swd_off[s], m->swd_off[s + 1] - m->swd_off[s], m->swd_norm[s]);
    for (size_t k = 0; k < m->ng; k++) {
        const float *row = m->c + k * m->nf + 2 * m->nt;
        double b = 0;
        size_t w = SIZE_MAX;
        for (size_t s = 0; s < m->ns; s++)
            if (row[s] > 0 && cs[s] > 0) {
                double v = cs[s] * (row[s] < 1 ? row[s] : 1);
                if (v > b) { b = v; w = s; }
            }
        best[k] = b;
        if (which) which[k] = w;
    }
    free(qd); free(cs);
    return 0;
}

int attr_knn(const attr_model *m, const attr_query *q, double *best, size_t *doc)
{
    double qn;
    double *qd = dense_query(m, q, m->nf, &qn);
    if (!qd) return -1;
    for (size_t k = 0; k < m->ng; k++) { best[k] = 0; if (doc) doc[k] = SIZE_MAX; }
    for (size_t d = 0; d < m->ndoc && qn > 0; d++) {
        double c = doc_cos(m, qd, qn, m->doc_f + m->doc_off[d], m->doc_off[d + 1] - m->doc_off[d], m->doc_norm[d]);
        if (c <= 0) continue;
        uint32_t k = m->doc_k[d];
        if (c > best[k]) { best[k] = c; if (doc) doc[k] = d; }
    }
    free(qd);
    return 0;
}

int attr_model_build(attr_model *m, const sp_kb *kb, const attr_params *p, const attr_excl *ex)
{
    memset(m, 0, sizeof *m);
    m->kb = kb;
    m->p = p ? *p : attr_default_params;
    m->nt = sp_kb_count(kb, SP_KB_TECHNIQUE);
    m->ns = sp_kb_count(kb, SP_KB_SOFTWARE);
    size_t nkg = sp_kb_count(kb, SP_KB_GROUP);
    int profiles = !(ex && ex->no_profiles);
    uint32_t *stamp = NULL;
    size_t nrep = 0;
    while (sp_kb_report_at(kb, (uint32_t)nrep)) nrep++;
    m->nrep = nrep;

    m->tfam = malloc((m->nt ? m->nt : 1) * sizeof *m->tfam);
    m->gidx = malloc((nkg ? nkg : 1) * sizeof *m->gidx);
    stamp = calloc(nrep ? nrep : 1, sizeof *stamp);
    if (!m->tfam || !m->gidx || !stamp) goto nomem;
    for (size_t t = 0; t < m->nt; t++) {
        const sp_kb_object *o = sp_kb_object_at(kb, SP_KB_TECHNIQUE, t);
        m->tfam[t] = (uint32_t)(o->subtechnique && o->parent != SIZE_MAX ? o->parent : t);
    }
    /* hypotheses: active groups (profile-only groups when profiles count) */
    for (size_t g = 0; g < nkg; g++) {
        const sp_kb_object *o = sp_kb_object_at(kb, SP_KB_GROUP, g);
        if (!active(o)) continue;
        if (!o->in_attack && !profiles) continue;
        m->gidx[m->ng++] = (uint32_t)g;
    }
    /* malware names profiles give that ATT&CK lacks */
    size_t capm = 0;
    if (profiles)
        for (size_t k = 0; k < m->ng; k++) {
            const sp_kb_profile *pr = sp_kb_object_at(kb, SP_KB_GROUP, m->gidx[k])->profile;
            if (!pr) continue;
            for (size_t i = 0; i < pr->nmalware; i++) {
                size_t si;
                if (sp_kb_lookup(kb, SP_KB_SOFTWARE, pr->malware[i], &si)) continue;
                if (attr_model_malware(m, pr->malware[i]) != SIZE_MAX) continue;
                if (m->nm == capm) {
                    size_t nc = capm ? capm * 2 : 32;
                    char **q = realloc(m->mname, nc * sizeof *q);
                    if (!q) goto nomem;
                    m->mname = q;
                    capm = nc;
                }
                if (!(m->mname[m->nm++] = attr_strdup(pr->malware[i]))) goto nomem;
            }
        }
    m->nf = 2 * m->nt + m->ns + m->nm;
    size_t nf = m->nf ? m->nf : 1, ng = m->ng ? m->ng : 1;
    m->c = calloc(ng * nf, sizeof *m->c);
    m->gsum = calloc(ng, sizeof *m->gsum);
    m->bg = calloc(nf, sizeof *m->bg);
    m->logbg = calloc(nf, sizeof *m->logbg);
    m->idf = calloc(nf, sizeof *m->idf);
    m->idf2 = calloc(nf, sizeof *m->idf2);
    m->logprior = calloc(ng, sizeof *m->logprior);
    m->nreports = calloc(ng, sizeof *m->nreports);
    m->df = calloc(nf, sizeof *m->df);
    if (!m->c || !m->gsum || !m->bg || !m->logbg || !m->idf || !m->idf2 || !m->logprior || !m->nreports || !m->df) goto nomem;

    /* per software: the kept reports its technique links cite */
    uint32_t *swr = NULL, *swr_off = NULL;
    if (m->p.sw_report > 0) {
        size_t tot = 0;
        for (size_t sw = 0; sw < m->ns; sw++) {
            const sp_kb_link *T;
            size_t nt = sp_kb_links(kb, SP_KB_SOFTWARE, sw, SP_KB_USES, SP_KB_TECHNIQUE, &T);
            for (size_t j = 0; j < nt; j++) tot += T[j].nreports;
        }
        swr = malloc((tot + 1) * sizeof *swr);
        swr_off = malloc((m->ns + 1) * sizeof *swr_off);
        if (!swr || !swr_off) { free(swr); free(swr_off); goto nomem; }
        size_t n = 0;
        for (size_t sw = 0; sw < m->ns; sw++) {
            swr_off[sw] = (uint32_t)n;
            if (!active(sp_kb_object_at(kb, SP_KB_SOFTWARE, sw))) continue;
            const sp_kb_link *T;
            size_t nt = sp_kb_links(kb, SP_KB_SOFTWARE, sw, SP_KB_USES, SP_KB_TECHNIQUE, &T);
            for (size_t j = 0; j < nt; j++) {
                if (ex && ex->no_profiles && !T[j].from_attack) continue;
                for (size_t x = 0; x < T[j].nreports; x++) {
                    uint32_t r = T[j].reports[x];
                    if (ex && ex->report_out && r < ex->nreports && ex->report_out[r]) continue;
                    size_t y = swr_off[sw];
                    while (y < n && swr[y] != r) y++;
                    if (y == n) swr[n++] = r;
                }
            }
        }
        swr_off[m->ns] = (uint32_t)n;
    }
    uint32_t mark = 0;
    for (size_t k = 0; k < m->ng; k++) {
        size_t g = m->gidx[k];
        float *row = m->c + k * m->nf;
        uint32_t nd = 0;
        mark++;
        const sp_kb_link *L;
        size_t n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, SP_KB_TECHNIQUE, &L);
        for (size_t i = 0; i < n; i++) {
            if (!active(sp_kb_object_at(kb, SP_KB_TECHNIQUE, L[i].target))) continue;
            int kr = kept_reports(kb, &L[i], ex, stamp, mark, &nd);
            if (kr < 0) continue;
            add_technique(m, row, L[i].target, 1.0 + m->p.report_bonus * log(kr > 1 ? kr : 1));
        }
        n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, SP_KB_SOFTWARE, &L);
        for (size_t i = 0; i < n; i++) {
            size_t s = L[i].target;
            if (!active(sp_kb_object_at(kb, SP_KB_SOFTWARE, s))) continue;
            int kr = kept_reports(kb, &L[i], ex, stamp, mark, &nd);
            if (kr < 0) continue;
            double ws = 1.0 + m->p.report_bonus * log(kr > 1 ? kr : 1);
            setmax(&row[am_fsw(m, s)], ws);
            if (m->p.sw_expand <= 0) continue;
            const sp_kb_link *T;
            size_t nt = sp_kb_links(kb, SP_KB_SOFTWARE, s, SP_KB_USES, SP_KB_TECHNIQUE, &T);
            for (size_t j = 0; j < nt; j++) {
                if (!active(sp_kb_object_at(kb, SP_KB_TECHNIQUE, T[j].target))) continue;
                if (kept_reports(kb, &T[j], ex, NULL, 0, NULL) < 0) continue;
                add_technique(m, row, T[j].target, m->p.sw_expand * ws);
            }
        }
        if (m->p.campaign > 0) {
            n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_ATTRIBUTED, SP_KB_CAMPAIGN, &L);
            for (size_t i = 0; i < n; i++) {
                size_t cmp = L[i].target;
                if (ex && cmp == ex->campaign_out) continue;
                if (!active(sp_kb_object_at(kb, SP_KB_CAMPAIGN, cmp))) continue;
                if (kept_reports(kb, &L[i], ex, NULL, 0, NULL) < 0) continue;
                const sp_kb_link *C;
                size_t nc = sp_kb_links(kb, SP_KB_CAMPAIGN, cmp, SP_KB_USES, SP_KB_TECHNIQUE, &C);
                for (size_t j = 0; j < nc; j++)
                    if (active(sp_kb_object_at(kb, SP_KB_TECHNIQUE, C[j].target)) &&
                        kept_reports(kb, &C[j], ex, stamp, mark, &nd) >= 0)
                        add_technique(m, row, C[j].target, m->p.campaign);
                nc = sp_kb_links(kb, SP_KB_CAMPAIGN, cmp, SP_KB_USES, SP_KB_SOFTWARE, &C);
                for (size_t j = 0; j < nc; j++)
                    if (active(sp_kb_object_at(kb, SP_KB_SOFTWARE, C[j].target)) &&
                        kept_reports(kb, &C[j], ex, stamp, mark, &nd) >= 0)
                        setmax(&row[am_fsw(m, C[j].target)], m->p.campaign);
            }
        }
        /* software described in the group's own reports: the report is about
         * the group, so is the software it analyses */
        if (m->p.sw_report > 0 && swr)
            for (size_t sw = 0; sw < m->ns; sw++) {
                if (row[am_fsw(m, sw)] > 0) continue;
                for (size_t j = swr_off[sw]; j < swr_off[sw + 1]; j++)
                    if (stamp[swr[j]] == mark) {
                        setmax(&row[am_fsw(m, sw)], m->p.sw_report);
                        const sp_kb_link *T;
                        size_t nt = sp_kb_links(kb, SP_KB_SOFTWARE, sw, SP_KB_USES, SP_KB_TECHNIQUE, &T);
                        for (size_t x = 0; x < nt && m->p.sw_expand > 0; x++)
                            if (active(sp_kb_object_at(kb, SP_KB_TECHNIQUE, T[x].target)) &&
                                kept_reports(kb, &T[x], ex, NULL, 0, NULL) >= 0)
                                add_technique(m, row, T[x].target, m->p.sw_expand * m->p.sw_report);
                        break;
                    }
            }
        const sp_kb_profile *pr = sp_kb_object_at(kb, SP_KB_GROUP, g)->profile;
        if (profiles && pr)
            for (size_t i = 0; i < pr->nmalware; i++) {
                size_t mi = attr_model_malware(m, pr->malware[i]);
                if (mi != SIZE_MAX) setmax(&row[am_fmal(m, mi)], 1.0);
            }
        m->nreports[k] = nd;
    }
    free(swr);
    free(swr_off);
    /* background: the pooled profiles, with a small floor for features no
     * group has */
    double total = 0;
    for (size_t k = 0; k < m->ng; k++) {
        const float *row = m->c + k * m->nf;
        double sum = 0;
        for (size_t f = 0; f < m->nf; f++) {
            if (row[f] > 0) { sum += row[f]; m->bg[f] += row[f]; m->df[f]++; }
        }
        m->gsum[k] = sum;
        total += sum;
    }
    const double floor_w = 0.05;
    double denom = total + floor_w * (double)m->nf;
    for (size_t f = 0; f < m->nf; f++) {
        m->bg[f] = (m->bg[f] + floor_w) / denom;
        m->logbg[f] = log(m->bg[f]);
        m->idf[f] = log(1.0 + ((double)m->ng - m->df[f] + 0.5) / (m->df[f] + 0.5));
        double l = m->df[f] ? log((double)m->ng / m->df[f]) : log((double)m->ng + 1.0);
        m->idf2[f] = l * l;
    }
    m->avg_len = m->ng ? total / (double)m->ng : 1;
    if (m->avg_len <= 0) m->avg_len = 1;
    m->mu_eff = m->p.mu * m->avg_len;
    m->llr_novel = log(m->mu_eff / (m->avg_len + m->mu_eff));
    /* prior: groups behind more reports turn up more often */
    double mx = -INFINITY;
    for (size_t k = 0; k < m->ng; k++) {
        m->logprior[k] = m->p.prior_gamma * log(1.0 + m->nreports[k]);
        if (m->logprior[k] > mx) mx = m->logprior[k];
    }
    double z = 0;
    for (size_t k = 0; k < m->ng; k++) z += exp(m->logprior[k] - mx);
    for (size_t k = 0; k < m->ng; k++) m->logprior[k] -= mx + log(z);
    free(stamp);
    stamp = NULL;
    if (m->p.knn > 0 && build_docs(m, kb, ex)) goto nomem;
    if (m->p.swknn > 0 && build_sw_docs(m, kb, ex)) goto nomem;
    return 0;
nomem:
    free(stamp);
    attr_model_free(m);
    return -1;
}

int aq_add(attr_query *q, uint32_t f, double w)
{
    for (size_t i = 0; i < q->n; i++)
        if (q->f[i] == f) { if (w > q->w[i]) q->w[i] = w; return 0; }
    if (q->n == q->cap) {
        size_t nc = q->cap ? q->cap * 2 : 32;
        uint32_t *nf = realloc(q->f, nc * sizeof *nf);
        if (!nf) return -1;
        q->f = nf;
        double *nw = realloc(q->w, nc * sizeof *nw);
        if (!nw) return -1;
        q->w = nw;
        q->cap = nc;
    }
    q->f[q->n] = f;
    q->w[q->n++] = w;
    return 0;
}

void aq_free(attr_query *q)
{
    free(q->f);
    free(q->w);
    memset(q, 0, sizeof *q);
}

int aq_technique(attr_query *q, const attr_model *m, size_t t, double s)
{
    if (aq_add(q, (uint32_t)am_ft(m, t), s)) return -1;
    return m->p.family > 0 ? aq_add(q, (uint32_t)am_ffam(m, t), s * m->p.family) : 0;
}

int aq_software(attr_query *q, const attr_model *m, size_t sw, double s)
{
    return aq_add(q, (uint32_t)am_fsw(m, sw), s * am_swq(m, sw));
}

void attr_score(const attr_model *m, const attr_query *q, double *score)
{
    for (size_t k = 0; k < m->ng; k++) score[k] = 0;
    if (m->p.mode == 1) {
        /* relative to "an average actor", so that 0 is the unknown actor */
        double u = 0;
        for (size_t i = 0; i < q->n; i++) u += q->w[i] * am_llr(m, SIZE_MAX, q->f[i]);
        for (size_t k = 0; k < m->ng; k++) score[k] = -u / m->p.temperature;
    }
    for (size_t i = 0; i < q->n; i++) {
        size_t f = q->f[i];
        double w = q->w[i] / m->p.temperature;
        for (size_t k = 0; k < m->ng; k++) score[k] += w * am_llr(m, k, f);
    }
    if (m->p.knn > 0 && m->ndoc) {
        double *best = malloc(m->ng * sizeof *best);
        if (!best || attr_knn(m, q, best, NULL)) { free(best); return; }
        for (size_t k = 0; k < m->ng; k++) score[k] += m->p.knn * best[k];
        free(best);
    }
    if (m->p.swknn > 0 && m->swd_off) {
        double *best = malloc(m->ng * sizeof *best);
        if (!best || attr_swknn(m, q, best, NULL)) { free(best); return; }
        for (size_t k = 0; k < m->ng; k++) score[k] += m->p.swknn * best[k];
        free(best);
    }
}
