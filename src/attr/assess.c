/*
 * assess.c — sp_attr and sp_assessment: from evidence to ranked hypotheses.
 *
 *   1. Resolve the evidence against the knowledge base: technique ids,
 *      software ids / names / aliases, malware names (ATT&CK's or the
 *      profiles'), actors named by IOC feeds.
 *   2. ATT&CK evidence (model.c): each observed technique / software adds its
 *      log-likelihood ratio for every group, divided by the temperature.
 *   3. Profile evidence (ACH-style, for and against): origin and
 *      infrastructure countries and ASNs of external addresses, bare-IP C2,
 *      operators' hours, victim sector and country — fixed weights in
 *      log-odds, documented in docs/attribution.md.
 *   4. Posterior over every group plus "an actor not in the knowledge base"
 *      (the background actor, whose log-likelihood ratio is 0 by definition).
 *   5. Confidence (ODNI words) from the amount and kind of evidence and the
 *      likelihood; ICD 203 term from the likelihood.
 *   6. Clusters (profiles' `cluster`), and what to hunt next: the unseen
 *      items with the highest expected information gain over the top-k.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr/attr_int.h"
#include "attr/bench.h"
#include "base/buf.h"

typedef struct attr_rule { char *id, *title; char **tags; size_t ntags; } attr_rule;

struct sp_attr {
    const sp_kb *kb;
    attr_model m;
    sp_attr_opts o;
    attr_rule *rules;
    size_t nrules;
};

typedef struct hyp_ext {
    sp_hypothesis h;
    size_t gi;                  /* model group index, SIZE_MAX for unknown */
} hyp_ext;

struct sp_assessment {
    sp_arena ar;
    hyp_ext *hyp;
    size_t nh;
    const sp_kb *kb;
    sp_attr_cluster *cl;
    size_t ncl;
    sp_hunt_next *nx;
    size_t nnx;
    sp_assessment_info info;
};

/* ------------------------------------------------------------- words */

const char *sp_confidence_word(sp_confidence c)
{
    return c == SP_CONF_HIGH ? "high" : c == SP_CONF_MODERATE ? "moderate" : "low";
}

int attr_icd_band(double p)
{
    if (p < 0.05) return 0;
    if (p < 0.20) return 1;
    if (p < 0.45) return 2;
    if (p <= 0.55) return 3;
    if (p < 0.80) return 4;
    if (p < 0.95) return 5;
    return 6;
}

const char *sp_icd203_term(double p)
{
    static const char *const t[7] = {"almost no chance", "very unlikely", "unlikely", "roughly even chance",
                                     "likely", "very likely", "almost certain"};
    return t[attr_icd_band(p)];
}

/* ---------------------------------------------------------- confidence */

typedef struct evsum { size_t ntech, nsw, nmal, ninfra; int thin; } evsum;

static void evsum_fini(evsum *e) { e->thin = e->ntech <= 3 && !e->nsw && !e->nmal && !e->ninfra; }

/* ODNI confidence in a hypothesis: low when the evidence is thin or the
 * hypothesis is not well ahead; high only for the leading hypothesis, with a
 * high likelihood, on evidence of more than one kind (software or
 * infrastructure beside the techniques).  Thresholds are global (checked by
 * the calibration in `spoor bench attribution`). */
static sp_confidence confidence(const evsum *e, double p, int is_top)
{
    if (e->thin) return SP_CONF_LOW;
    int kinds = (e->ntech >= 5) + (e->nsw + e->nmal > 0) + (e->ninfra > 0);
    if (is_top && p >= 0.80 && kinds >= 2) return SP_CONF_HIGH;
    if (p >= 0.50 || (is_top && p >= 0.30 && kinds >= 2)) return SP_CONF_MODERATE;
    return SP_CONF_LOW;
}

/* posterior: post[0..ng-1] groups, post[ng] unknown, from log-likelihood
 * ratio + log prior per group */
static void posterior(size_t ng, const double *lp, double unknown_prior, double *post)
{
    double lu = log(unknown_prior), lk = log(1.0 - unknown_prior), mx = lu;
    for (size_t g = 0; g < ng; g++) if (lp[g] + lk > mx) mx = lp[g] + lk;
    double z = exp(lu - mx);
    for (size_t g = 0; g < ng; g++) z += exp(lp[g] + lk - mx);
    for (size_t g = 0; g < ng; g++) post[g] = exp(lp[g] + lk - mx) / z;
    post[ng] = exp(lu - mx) / z;
}

void attr_calib_add(attr_calib *c, const attr_model *m, const double *score, const uint32_t *truth, size_t ntruth,
                    size_t ntech, size_t nsw)
{
    double *post = malloc((m->ng + 1) * sizeof *post);
    if (!post) return;
    posterior(m->ng, score, 0.10, post);
    size_t top = m->ng;
    for (size_t g = 0; g <= m->ng; g++) if (post[g] > post[top] || (top == m->ng && g < m->ng && post[g] >= post[top])) top = g;
    evsum e = {ntech, nsw, 0, 0, 0};
    evsum_fini(&e);
    double p = post[top];
    int ok = 0;
    if (top < m->ng)
        for (size_t t = 0; t < ntruth; t++) if (m->gidx[top] == truth[t]) ok = 1;
    sp_confidence cf = confidence(&e, p, 1);
    c->n++;
    if (top == m->ng) c->unknown_top++;
    else c->named[cf]++;
    c->conf_n[cf]++;
    c->conf_ok[cf] += (size_t)ok;
    int b = attr_icd_band(p);
    c->band_n[b]++;
    c->band_ok[b] += (size_t)ok;
    c->band_p[b] += p;
    c->brier += (p - ok) * (p - ok);
    if (e.thin) { c->thin++; if (cf == SP_CONF_LOW) c->thin_low++; }
    free(post);
}

/* ------------------------------------------------------------- sp_attr */

sp_status sp_attr_new(const sp_kb *kb, const sp_attr_opts *opts, sp_attr **out, sp_error *err)
{
    if (!kb || !out) return SP_ERR_ARG;
    *out = NULL;
    if (!sp_kb_count(kb, SP_KB_GROUP)) {
        if (err) {
            memset(err, 0, sizeof *err);
            err->offset = UINT64_MAX;
            snprintf(err->msg, sizeof err->msg, "the knowledge base holds no groups");
        }
        return SP_ERR_ARG;
    }
    sp_attr *a = calloc(1, sizeof *a);
    if (!a) return SP_ERR_NOMEM;
    a->kb = kb;
    if (opts) a->o = *opts;
    if (!a->o.top_k) a->o.top_k = 5;
    if (!a->o.hunt_next) a->o.hunt_next = 10;
    if (!(a->o.unknown_prior > 0 && a->o.unknown_prior < 1)) a->o.unknown_prior = 0.10;
    if (attr_model_build(&a->m, kb, NULL, NULL)) { free(a); return SP_ERR_NOMEM; }
    *out = a;
    return SP_OK;
}

static void free_rules(sp_attr *a)
{
    for (size_t i = 0; i < a->nrules; i++) {
        free(a->rules[i].id);
        free(a->rules[i].title);
        for (size_t j = 0; j < a->rules[i].ntags; j++) free(a->rules[i].tags[j]);
        free(a->rules[i].tags);
    }
    free(a->rules);
    a->rules = NULL;
    a->nrules = 0;
}

void sp_attr_free(sp_attr *a)
{
    if (!a) return;
    free_rules(a);
    attr_model_free(&a->m);
    free(a);
}

size_t sp_attr_hypothesis_count(const sp_attr *a) { return a ? a->m.ng + 1 : 0; }

sp_status sp_attr_set_rules(sp_attr *a, const sp_attr_rule *rules, size_t n)
{
    if (!a || (!rules && n)) return SP_ERR_ARG;
    free_rules(a);
    if (!n) return SP_OK;
    a->rules = calloc(n, sizeof *a->rules);
    if (!a->rules) return SP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        attr_rule *r = &a->rules[i];
        a->nrules = i + 1;
        r->id = attr_strdup(rules[i].id ? rules[i].id : "");
        r->title = attr_strdup(rules[i].title ? rules[i].title : "");
        r->tags = calloc(rules[i].ntags ? rules[i].ntags : 1, sizeof *r->tags);
        if (!r->id || !r->title || !r->tags) { free_rules(a); return SP_ERR_NOMEM; }
        for (size_t j = 0; j < rules[i].ntags; j++) {
            if (!rules[i].tags[j]) continue;
            char *t = attr_strdup(rules[i].tags[j]);
            if (!t) { free_rules(a); return SP_ERR_NOMEM; }
            for (char *p = t; *p; p++) *p = (char)tolower((unsigned char)*p);
            r->tags[r->ntags++] = t;
        }
    }
    return SP_OK;
}

/* ------------------------------------------------------------- helpers */

static char *adup(sp_arena *ar, const char *s)
{
    size_t n = strlen(s);
    char *d = sp_arena_alloc(ar, n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

static char *afmt(sp_arena *ar, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *afmt(sp_arena *ar, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return adup(ar, buf);
}

static int has_str(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) if (attr_ci_eq(v[i], s)) return 1;
    return 0;
}

static int has_asn(const uint32_t *v, size_t n, uint32_t a)
{
    for (size_t i = 0; i < n; i++) if (v[i] == a) return 1;
    return 0;
}

/* a resolved evidence item */
typedef struct ritem {
    int kind;                   /* RI_* */
    const char *id, *name;
    double s;                   /* strength */
    size_t t;                   /* technique / software index, or malware index */
    size_t feat, fam;           /* model features (fam SIZE_MAX none) */
    size_t famshare;            /* technique items sharing the family feature */
} ritem;
enum { RI_TECH = 0, RI_SW, RI_MAL };

/* one piece of profile / IOC evidence for one group */
typedef struct pitem { size_t gi; const char *kind, *id, *why; double w; } pitem;
typedef struct pvec { pitem *v; size_t n, cap; } pvec;

static int pv_add(pvec *p, size_t gi, const char *kind, const char *id, double w, const char *why)
{
    if (!why || !id) return -1;
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        pitem *q = realloc(p->v, nc * sizeof *q);
        if (!q) return -1;
        p->v = q;
        p->cap = nc;
    }
    p->v[p->n++] = (pitem){gi, kind, id, why, w};
    return 0;
}

static double role_weight(const char *role)
{
    static const char *const strong[] = {"web_shell_client", "webshell_client", "operator", "c2", "rdp_client",
                                         "exfil", "exfiltration", "vpn_client", "ssh_client", NULL};
    if (!role || !*role) return 0.5;
    for (size_t i = 0; strong[i]; i++) if (attr_ci_eq(role, strong[i])) return 1.0;
    if (attr_ci_eq(role, "scanner")) return 0.2;
    return 0.5;
}

static double claim_conf(const sp_kb_claim *c)
{
    if (!c) return 0.8;
    return c->confidence == SP_KB_CONF_LOW ? 0.6 : c->confidence == SP_KB_CONF_HIGH ? 1.0 : 0.8;
}

/* ISO 3166 codes of the regions profiles name (enough for the shipped ones) */
static const char *country_name(const char *cc)
{
    static const char *const t[][2] = {
        {"US", "united states"}, {"GB", "united kingdom"}, {"UK", "united kingdom"}, {"IN", "india"},
        {"KR", "south korea"}, {"JP", "japan"}, {"AU", "australia"}, {"DE", "germany"}, {"FR", "france"},
        {"UA", "ukraine"}, {"RU", "russia"}, {"CN", "china"}, {"TW", "taiwan"}, {"IL", "israel"},
        {"SA", "saudi arabia"}, {"AE", "united arab emirates"}, {"IR", "iran"}, {"CA", "canada"},
        {"VN", "vietnam"}, {"PH", "philippines"}, {"MM", "myanmar"}, {"TR", "turkey"}, {"PK", "pakistan"},
        {"HK", "hong kong"}, {"SG", "singapore"}, {"IT", "italy"}, {"ES", "spain"}, {"NL", "netherlands"},
        {"PL", "poland"}, {"BR", "brazil"}, {"MX", "mexico"}, {"KP", "north korea"}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) if (attr_ci_eq(t[i][0], cc)) return t[i][1];
    return NULL;
}

static int text_overlap(const char *a, const char *b)
{
    char x[260], y[260];
    snprintf(x, sizeof x, "%s", a);
    snprintf(y, sizeof y, "%s", b);
    for (char *p = x; *p; p++) *p = (char)tolower((unsigned char)*p);
    for (char *p = y; *p; p++) *p = (char)tolower((unsigned char)*p);
    return strstr(x, y) || strstr(y, x);
}

/* Profile evidence for every profiled group: infrastructure, hours, victim. */
static int profile_evidence(const sp_attr *a, const sp_evidence *ev, sp_arena *ar, pvec *pv, evsum *es)
{
    const attr_model *m = &a->m;
    /* countries and ASNs observed, with the strongest role seen for each */
    typedef struct obs { char cc[3]; uint32_t asn; double r; const char *what; } obs;
    /* an address may give a country and an ASN */
    size_t nobs = 0, capobs = 2 * ev->nip + ev->ncc + ev->nasn + 1;
    obs *ob = calloc(capobs, sizeof *ob);
    if (!ob) return -1;
    for (size_t i = 0; i < ev->nip; i++) {
        const ev_ip *x = &ev->ip[i];
        double r = role_weight(x->role);
        if (x->cc[0]) {
            size_t k = 0;
            while (k < nobs && !(ob[k].cc[0] && !strcmp(ob[k].cc, x->cc))) k++;
            if (k == nobs) { memcpy(ob[nobs].cc, x->cc, 3); ob[nobs].r = r; ob[nobs++].what = x->ip; }
            else if (r > ob[k].r) { ob[k].r = r; ob[k].what = x->ip; }
        }
        if (x->asn) {
            size_t k = 0;
            while (k < nobs && ob[k].asn != x->asn) k++;
            if (k == nobs) { ob[nobs].asn = x->asn; ob[nobs].r = r; ob[nobs++].what = x->ip; }
            else if (r > ob[k].r) { ob[k].r = r; ob[k].what = x->ip; }
        }
    }
    for (size_t i = 0; i < ev->ncc; i++) {
        size_t k = 0;
        while (k < nobs && !(ob[k].cc[0] && !strcmp(ob[k].cc, ev->cc[i].s))) k++;
        if (k == nobs && nobs < capobs) { memcpy(ob[nobs].cc, ev->cc[i].s, 3); ob[nobs].r = 0.5; ob[nobs++].what = NULL; }
    }
    for (size_t i = 0; i < ev->nasn; i++) {
        size_t k = 0;
        while (k < nobs && ob[k].asn != ev->asn[i]) k++;
        if (k == nobs && nobs < capobs) { ob[nobs].asn = ev->asn[i]; ob[nobs].r = 0.5; ob[nobs++].what = NULL; }
    }
    es->ninfra = nobs + (ev->bare_ip >= 0) + (size_t)ev->hours_known + ev->nioc;
    int rc = 0;
    for (size_t gi = 0; gi < m->ng && !rc; gi++) {
        const sp_kb_profile *pr = sp_kb_object_at(a->kb, SP_KB_GROUP, m->gidx[gi])->profile;
        if (!pr) continue;
        for (size_t k = 0; k < nobs && !rc; k++) {
            const obs *o = &ob[k];
            char src[128];
            if (o->what) snprintf(src, sizeof src, "%.64s", o->what);
            else snprintf(src, sizeof src, "observed");
            if (o->cc[0]) {
                if (has_str(pr->countries, pr->ncountries, o->cc))
                    rc = pv_add(pv, gi, "country", adup(ar, o->cc), 3.0 * o->r,
                                afmt(ar, "%s address (%s) in its country of origin (profile, %s confidence)", o->cc, src,
                                     claim_conf(sp_kb_claim_find(pr, "countries", o->cc)) >= 1.0 ? "high" : "medium"));
                else if (has_str(pr->infra_countries, pr->ninfra_countries, o->cc))
                    rc = pv_add(pv, gi, "country", adup(ar, o->cc), 0.8 * o->r,
                                afmt(ar, "%s address (%s): its infrastructure has been seen there", o->cc, src));
                else if (pr->ncountries && o->r >= 1.0)
                    rc = pv_add(pv, gi, "country", adup(ar, o->cc), -0.7,
                                afmt(ar, "operator-side %s address (%s) is neither its origin nor a known infrastructure "
                                         "country (weak: relays and VPNs are common)", o->cc, src));
            } else if (o->asn) {
                if (has_asn(pr->asns, pr->nasns, o->asn))
                    rc = pv_add(pv, gi, "asn", afmt(ar, "AS%u", o->asn), 3.0 * o->r,
                                afmt(ar, "AS%u (%s) is an ASN in its profile", o->asn, src));
            }
        }
        if (rc) break;
        const sp_kb_claim *bc = sp_kb_claim_find(pr, "infrastructure.bare_ip_c2", NULL);
        if (ev->bare_ip == 1 && bc) {
            int yes = attr_ci_eq(bc->value, "true");
            rc = pv_add(pv, gi, "infrastructure", "bare_ip_c2", yes ? 1.5 * claim_conf(bc) : -1.0 * claim_conf(bc),
                        yes ? "C2 by bare IP address, no domain names: a habit in its profile"
                            : "C2 by bare IP address: its profile says it uses domain names");
        } else if (ev->bare_ip == 0 && bc && attr_ci_eq(bc->value, "true"))
            rc = pv_add(pv, gi, "infrastructure", "bare_ip_c2", -0.4,
                        "expected hallmark absent: its profile has bare-IP C2, every C2 here had a name (weak)");
        if (rc) break;
        if (ev->hours_known && pr->hours.known) {
            double cf = ev->hours_conf >= 3 ? 1.0 : ev->hours_conf == 2 ? 0.7 : 0.4;
            cf *= claim_conf(pr->hours.claim);
            int d = abs(ev->utc_off - pr->hours.utc_offset_min) % 1440;
            if (d > 720) d = 1440 - d;
            const char *id = afmt(ar, "UTC%+d:%02d", ev->utc_off / 60, abs(ev->utc_off) % 60);
            if (d <= 60)
                rc = pv_add(pv, gi, "hours", id, 1.5 * cf,
                            afmt(ar, "operators' hours fit %s; its profile works UTC%+d", id, pr->hours.utc_offset_min / 60));
            else if (d >= 180)
                rc = pv_add(pv, gi, "hours", id, -1.2 * cf,
                            afmt(ar, "operators' hours fit %s, %d h from its profile's UTC%+d", id, d / 60,
                                 pr->hours.utc_offset_min / 60));
        }
        if (rc) break;
        if (ev->sector && pr->nsectors) {
            int hit = 0;
            for (size_t i = 0; i < pr->nsectors && !hit; i++) hit = text_overlap(pr->sectors[i], ev->sector);
            rc = pv_add(pv, gi, "sector", ev->sector, hit ? 0.5 : -0.2,
                        hit ? "the victim's sector is among those it targets" : "the victim's sector is not among those it is known to target (weak)");
        }
        if (rc) break;
        if (ev->vcountry && pr->nregions) {
            const char *nm = strlen(ev->vcountry) == 2 ? country_name(ev->vcountry) : ev->vcountry;
            int hit = 0;
            for (size_t i = 0; nm && i < pr->nregions && !hit; i++) hit = text_overlap(pr->regions[i], nm);
            if (hit) rc = pv_add(pv, gi, "victim_country", ev->vcountry, 0.4, "the victim's country is in a region it targets");
        }
    }
    /* IOC hits linked by a feed to an actor */
    for (size_t i = 0; i < ev->nioc && !rc; i++) {
        size_t g;
        if (!sp_kb_lookup(a->kb, SP_KB_GROUP, ev->ioc[i].actor, &g)) continue;
        for (size_t gi = 0; gi < m->ng; gi++)
            if (m->gidx[gi] == g) {
                rc = pv_add(pv, gi, "ioc", afmt(ar, "%.200s", ev->ioc[i].ioc), 2.5,
                            afmt(ar, "IOC linked to %.100s by the feed (moderate: indicators get reused and shared)", ev->ioc[i].actor));
                break;
            }
    }
    free(ob);
    return rc;
}

/* ---------------------------------------------------------- hunt next */

typedef struct cand { int kind; size_t f; const char *id, *name; double p[16]; double gain; } cand;
enum { CK_FEAT = 0, CK_BARE, CK_ASN, CK_COUNTRY };

static double h2(const double *p, size_t n)
{
    double h = 0;
    for (size_t i = 0; i < n; i++) if (p[i] > 0) h -= p[i] * log2(p[i]);
    return h;
}

static double info_gain(const double *pi, const double *pf, size_t k)
{
    double P = 0, a[16], b[16];
    for (size_t i = 0; i < k; i++) P += pi[i] * pf[i];
    if (P <= 0 || P >= 1) return 0;
    for (size_t i = 0; i < k; i++) { a[i] = pi[i] * pf[i] / P; b[i] = pi[i] * (1 - pf[i]) / (1 - P); }
    double g = h2(pi, k) - P * h2(a, k) - (1 - P) * h2(b, k);
    return g > 0 ? g : 0;
}

/* P(an intrusion by group gi shows feature f): its share of the group's
 * profile times a typical intrusion's size, within [0.02, 0.9] */
static double p_show(const attr_model *m, size_t gi, size_t f)
{
    double share = gi == SIZE_MAX ? m->bg[f] : m->c[gi * m->nf + f] / (m->gsum[gi] > 0 ? m->gsum[gi] : 1);
    double p = 25.0 * share;   /* a typical intrusion shows ~25 items */
    return p < 0.02 ? 0.02 : p > 0.9 ? 0.9 : p;
}

static int hunt_next(const sp_attr *a, sp_assessment *as, const ritem *it, size_t nit, const sp_evidence *ev)
{
    const attr_model *m = &a->m;
    size_t k = a->o.top_k > 16 ? 16 : a->o.top_k;
    if (k > as->nh) k = as->nh;
    if (k < 2) return 0;
    double pi[16], z = 0;
    size_t gis[16];
    for (size_t i = 0; i < k; i++) { pi[i] = as->hyp[i].h.likelihood; z += pi[i]; gis[i] = as->hyp[i].gi; }
    if (z <= 0) return 0;
    /* separate the leading hypotheses even when one dominates: half the
     * posterior (renormalised over the top k), half uniform */
    for (size_t i = 0; i < k; i++) pi[i] = 0.5 * pi[i] / z + 0.5 / (double)k;
    uint8_t *seen = calloc(m->nf ? m->nf : 1, 1);
    cand *cs = NULL;
    size_t nc = 0, capc = 0;
    if (!seen) return -1;
    for (size_t i = 0; i < nit; i++) seen[it[i].feat] = 1;
    int rc = 0;
    /* candidates: features of the top-k profiles not yet observed (no families) */
    for (size_t i = 0; i < k && !rc; i++) {
        if (gis[i] == SIZE_MAX) continue;
        const float *row = m->c + gis[i] * m->nf;
        for (size_t f = 0; f < m->nf; f++) {
            if (row[f] <= 0 || seen[f] || (f >= m->nt && f < 2 * m->nt)) continue;
            seen[f] = 1;
            if (nc == capc) {
                size_t n2 = capc ? capc * 2 : 128;
                cand *q = realloc(cs, n2 * sizeof *q);
                if (!q) { rc = -1; break; }
                cs = q;
                capc = n2;
            }
            cand *c = &cs[nc++];
            memset(c, 0, sizeof *c);
            c->kind = CK_FEAT;
            c->f = f;
            for (size_t j = 0; j < k; j++) c->p[j] = p_show(m, gis[j], f);
            c->gain = info_gain(pi, c->p, k);
        }
    }
    /* infrastructure: bare-IP C2 when not known, ASNs of profiles when no address was seen */
    if (!rc && ev->bare_ip < 0) {
        cand c;
        memset(&c, 0, sizeof c);
        c.kind = CK_BARE;
        c.id = "bare_ip_c2";
        c.name = "C2 reached by bare IP address";
        int any = 0;
        for (size_t j = 0; j < k; j++) {
            const sp_kb_profile *pr = gis[j] == SIZE_MAX ? NULL : sp_kb_object_at(a->kb, SP_KB_GROUP, m->gidx[gis[j]])->profile;
            const sp_kb_claim *bc = pr ? sp_kb_claim_find(pr, "infrastructure.bare_ip_c2", NULL) : NULL;
            c.p[j] = bc ? (attr_ci_eq(bc->value, "true") ? 0.7 : 0.1) : 0.3;
            any |= bc != NULL;
        }
        c.gain = info_gain(pi, c.p, k);
        if (any && nc < capc) cs[nc++] = c;
    }
    if (!rc && !ev->nip && !ev->nasn)
        for (size_t j = 0; j < k && nc < capc; j++) {
            const sp_kb_profile *pr = gis[j] == SIZE_MAX ? NULL : sp_kb_object_at(a->kb, SP_KB_GROUP, m->gidx[gis[j]])->profile;
            if (!pr || !pr->nasns) continue;
            cand c;
            memset(&c, 0, sizeof c);
            c.kind = CK_ASN;
            c.id = afmt(&as->ar, "AS%u", pr->asns[0]);
            c.name = afmt(&as->ar, "connections from AS%u", pr->asns[0]);
            for (size_t x = 0; x < k; x++) {
                const sp_kb_profile *q = gis[x] == SIZE_MAX ? NULL : sp_kb_object_at(a->kb, SP_KB_GROUP, m->gidx[gis[x]])->profile;
                c.p[x] = q && has_asn(q->asns, q->nasns, pr->asns[0]) ? 0.3 : 0.01;
            }
            c.gain = info_gain(pi, c.p, k);
            int dup = 0;
            for (size_t y = 0; y < nc; y++) if (cs[y].kind == CK_ASN && !strcmp(cs[y].id, c.id)) dup = 1;
            if (!dup) cs[nc++] = c;
        }
    free(seen);
    if (rc) { free(cs); return -1; }
    /* best first */
    for (size_t i = 1; i < nc; i++) {
        cand t = cs[i];
        size_t j = i;
        while (j > 0 && cs[j - 1].gain < t.gain) { cs[j] = cs[j - 1]; j--; }
        cs[j] = t;
    }
    size_t want = a->o.hunt_next < nc ? a->o.hunt_next : nc;
    as->nx = sp_arena_zalloc(&as->ar, (want ? want : 1) * sizeof *as->nx);
    if (!as->nx) { free(cs); return -1; }
    for (size_t i = 0; i < want; i++) {
        cand *c = &cs[i];
        sp_hunt_next *x = &as->nx[as->nnx];
        char tag[64] = "", tagp[64] = "";
        const char *match_name = NULL;
        if (c->kind == CK_FEAT) {
            if (c->f < m->nt) {
                const sp_kb_object *o = sp_kb_object_at(a->kb, SP_KB_TECHNIQUE, c->f);
                x->kind = "technique"; x->id = o->id; x->name = o->name;
                snprintf(tag, sizeof tag, "attack.%s", o->id);
                snprintf(tagp, sizeof tagp, "attack.%s.", o->id);
            } else if (c->f < 2 * m->nt + m->ns) {
                const sp_kb_object *o = sp_kb_object_at(a->kb, SP_KB_SOFTWARE, c->f - 2 * m->nt);
                x->kind = "software"; x->id = o->id; x->name = o->name;
                snprintf(tag, sizeof tag, "attack.%s", o->id);
                match_name = o->name;
            } else {
                const char *nm = m->mname[c->f - 2 * m->nt - m->ns];
                x->kind = "malware"; x->id = nm; x->name = nm;
                match_name = nm;
            }
        } else {
            x->kind = "infrastructure"; x->id = c->id; x->name = c->name;
            if (c->kind == CK_ASN) x->kind = "asn";
        }
        for (char *p = tag; *p; p++) *p = (char)tolower((unsigned char)*p);
        for (char *p = tagp; *p; p++) *p = (char)tolower((unsigned char)*p);
        x->gain = c->gain;
        /* which hypotheses it separates */
        char why[400];
        size_t w = 0;
        for (size_t j = 0; j < k && j < 4 && w < sizeof why - 80; j++)
            w += (size_t)snprintf(why + w, sizeof why - w, "%s%s %.0f%%", j ? ", " : "expected in: ",
                                  as->hyp[j].h.id, 100 * c->p[j]);
        x->why = adup(&as->ar, why);
        /* rules that look for it */
        size_t nr = 0;
        const char **ids = sp_arena_alloc(&as->ar, (a->nrules ? a->nrules : 1) * sizeof *ids);
        const char **tt = sp_arena_alloc(&as->ar, (a->nrules ? a->nrules : 1) * sizeof *tt);
        if (!ids || !tt || !x->why) { free(cs); return -1; }
        for (size_t r = 0; r < a->nrules && nr < 20; r++) {
            const attr_rule *ru = &a->rules[r];
            int hit = 0;
            for (size_t t = 0; t < ru->ntags && !hit && tag[0]; t++)
                hit = !strcmp(ru->tags[t], tag) || (tagp[0] && !strncmp(ru->tags[t], tagp, strlen(tagp)));
            if (!hit && match_name && strlen(match_name) >= 4) hit = text_overlap(ru->title, match_name) && strlen(ru->title) >= strlen(match_name);
            if (hit) { ids[nr] = ru->id; tt[nr++] = ru->title; }
        }
        x->rules = ids;
        x->rule_titles = tt;
        x->nrules = nr;
        as->nnx++;
    }
    free(cs);
    return 0;
}

/* ------------------------------------------------------------- assess */

static int item_cmp(const void *a, const void *b)
{
    double x = fabs(((const sp_attr_item *)a)->weight), y = fabs(((const sp_attr_item *)b)->weight);
    return x < y ? 1 : x > y ? -1 : 0;
}

static int hyp_cmp(const void *a, const void *b)
{
    const hyp_ext *x = a, *y = b;
    if (x->h.likelihood != y->h.likelihood) return x->h.likelihood < y->h.likelihood ? 1 : -1;
    return strcmp(x->h.id, y->h.id);
}

static int resolve(const sp_attr *a, const sp_evidence *ev, ritem **out, size_t *nout, evsum *es)
{
    const attr_model *m = &a->m;
    size_t cap = ev->ntech + ev->nsw + ev->nmal + 1, n = 0;
    ritem *it = calloc(cap, sizeof *it);
    if (!it) return -1;
    for (size_t i = 0; i < ev->ntech; i++) {
        size_t t;
        if (!sp_kb_lookup(a->kb, SP_KB_TECHNIQUE, ev->tech[i].id, &t)) continue;
        int dup = 0;
        for (size_t j = 0; j < n; j++) if (it[j].kind == RI_TECH && it[j].t == t) dup = 1;
        if (dup) continue;
        const sp_kb_object *o = sp_kb_object_at(a->kb, SP_KB_TECHNIQUE, t);
        it[n] = (ritem){RI_TECH, o->id, o->name, ev_tech_strength(&ev->tech[i]), t, am_ft(m, t), am_ffam(m, t), 0};
        n++;
        es->ntech++;
    }
    for (int pass = 0; pass < 2; pass++) {
        size_t cnt = pass ? ev->nmal : ev->nsw;
        for (size_t i = 0; i < cnt; i++) {
            const char *nm = pass ? ev->mal[i].s : ev->sw[i].s;
            size_t s;
            int dup = 0;
            if (sp_kb_lookup(a->kb, SP_KB_SOFTWARE, nm, &s)) {
                for (size_t j = 0; j < n; j++) if (it[j].kind == RI_SW && it[j].t == s) dup = 1;
                if (dup) continue;
                const sp_kb_object *o = sp_kb_object_at(a->kb, SP_KB_SOFTWARE, s);
                it[n++] = (ritem){RI_SW, o->id, o->name, 1.0, s, am_fsw(m, s), SIZE_MAX, 0};
                es->nsw++;
            } else if ((s = attr_model_malware(m, nm)) != SIZE_MAX) {
                for (size_t j = 0; j < n; j++) if (it[j].kind == RI_MAL && it[j].t == s) dup = 1;
                if (dup) continue;
                it[n++] = (ritem){RI_MAL, m->mname[s], nm, 1.0, s, am_fmal(m, s), SIZE_MAX, 0};
                es->nmal++;
            }
        }
    }
    /* family features shared by several observed techniques */
    for (size_t i = 0; i < n; i++) {
        if (it[i].kind != RI_TECH) continue;
        for (size_t j = 0; j < n; j++) if (it[j].kind == RI_TECH && it[j].fam == it[i].fam) it[i].famshare++;
    }
    *out = it;
    *nout = n;
    return 0;
}

/* contribution of item `it` to group gi (log-odds units) */
static double item_weight(const attr_model *m, const ritem *it, const double *famw, size_t gi)
{
    double w = it->s * am_llr(m, gi, it->feat);
    if (it->kind == RI_SW) w *= am_swq(m, it->feat - 2 * m->nt);
    if (it->fam != SIZE_MAX && m->p.family > 0) w += famw[it->fam - m->nt] * m->p.family * am_llr(m, gi, it->fam) / (double)it->famshare;
    return w / m->p.temperature;
}

static const char *tech_why(sp_arena *ar, const attr_model *m, const ritem *it, size_t gi, double w)
{
    float c = m->c[gi * m->nf + it->feat];
    size_t df = m->df[it->feat];
    if (it->kind != RI_TECH) {
        if (c > 0) return afmt(ar, "%s it is known to use; %zu of %zu groups do", it->kind == RI_MAL ? "malware" : "software", df, m->ng);
        return afmt(ar, "not known to be used by it; %zu of %zu groups use it", df, m->ng);
    }
    if (c >= 1.0) return afmt(ar, "in its ATT&CK profile; %zu of %zu groups use it", df, m->ng);
    if (c > 0) return afmt(ar, "done by software or campaigns attributed to it; %zu of %zu groups", df, m->ng);
    if (w > 0) return afmt(ar, "a technique of the same family is in its profile; %zu of %zu groups use this one", df, m->ng);
    return afmt(ar, "not in its profile; %zu of %zu groups use it", df, m->ng);
}

sp_status sp_attr_assess(const sp_attr *a, const sp_evidence *ev, sp_assessment **out)
{
    if (!a || !ev || !out) return SP_ERR_ARG;
    *out = NULL;
    double t0 = attr_now_ms();
    const attr_model *m = &a->m;
    sp_assessment *as = calloc(1, sizeof *as);
    if (!as) return SP_ERR_NOMEM;
    sp_arena_init(&as->ar, 1 << 16);
    as->kb = a->kb;
    ritem *it = NULL;
    size_t nit = 0;
    evsum es = {0};
    pvec pv = {0};
    double *lp = NULL, *post = NULL, *famw = NULL, *knn = NULL, *swk = NULL;
    size_t *knd = NULL, *swd = NULL;
    if (resolve(a, ev, &it, &nit, &es)) goto nomem;
    if (profile_evidence(a, ev, &as->ar, &pv, &es)) goto nomem;
    evsum_fini(&es);
    /* family weights: the strongest observation of each family (as aq_add keeps) */
    famw = calloc(m->nt ? m->nt : 1, sizeof *famw);
    lp = calloc(m->ng + 1, sizeof *lp);
    post = calloc(m->ng + 1, sizeof *post);
    if (!famw || !lp || !post) goto nomem;
    for (size_t i = 0; i < nit; i++)
        if (it[i].kind == RI_TECH && it[i].s > famw[it[i].fam - m->nt]) famw[it[i].fam - m->nt] = it[i].s;
    for (size_t gi = 0; gi < m->ng; gi++) {
        double s = m->logprior[gi];
        for (size_t i = 0; i < nit; i++) {
            double w = it[i].s * am_llr(m, gi, it[i].feat);
            if (it[i].kind == RI_SW) w *= am_swq(m, it[i].feat - 2 * m->nt);
            s += w / m->p.temperature;
        }
        lp[gi] = s;
    }
    /* family features once each */
    for (size_t f = 0; f < m->nt; f++) {
        if (famw[f] <= 0) continue;
        for (size_t gi = 0; gi < m->ng; gi++) lp[gi] += famw[f] * m->p.family * am_llr(m, gi, m->nt + f) / m->p.temperature;
    }
    /* the nearest past report of each group, and the tool of its whose
     * behaviour the evidence resembles most */
    if ((m->p.knn > 0 && m->ndoc) || (m->p.swknn > 0 && m->swd_off)) {
        attr_query q = {0};
        int bad = 0;
        for (size_t i = 0; i < nit && !bad; i++) {
            if (it[i].kind == RI_TECH) bad = aq_technique(&q, m, it[i].t, it[i].s);
            else bad = aq_add(&q, (uint32_t)it[i].feat, it[i].kind == RI_SW ? it[i].s * am_swq(m, it[i].feat - 2 * m->nt) : it[i].s);
        }
        if (!bad && m->p.knn > 0 && m->ndoc) {
            knn = malloc(m->ng * sizeof *knn);
            knd = malloc(m->ng * sizeof *knd);
            bad = !knn || !knd || attr_knn(m, &q, knn, knd);
        }
        if (!bad && m->p.swknn > 0 && m->swd_off) {
            swk = malloc(m->ng * sizeof *swk);
            swd = malloc(m->ng * sizeof *swd);
            bad = !swk || !swd || attr_swknn(m, &q, swk, swd);
        }
        aq_free(&q);
        if (bad) goto nomem;
        for (size_t gi = 0; gi < m->ng; gi++) {
            if (knn) lp[gi] += m->p.knn * knn[gi];
            if (swk) lp[gi] += m->p.swknn * swk[gi];
        }
    }
    for (size_t i = 0; i < pv.n; i++) lp[pv.v[i].gi] += pv.v[i].w;
    posterior(m->ng, lp, a->o.unknown_prior, post);

    as->nh = m->ng + 1;
    as->hyp = sp_arena_zalloc(&as->ar, as->nh * sizeof *as->hyp);
    if (!as->hyp) goto nomem;
    for (size_t gi = 0; gi <= m->ng; gi++) {
        hyp_ext *h = &as->hyp[gi];
        h->gi = gi < m->ng ? gi : SIZE_MAX;
        h->h.likelihood = post[gi];
        if (gi < m->ng) {
            const sp_kb_object *o = sp_kb_object_at(a->kb, SP_KB_GROUP, m->gidx[gi]);
            h->h.id = o->id;
            h->h.name = o->name;
            h->h.cluster = o->profile && o->profile->cluster ? o->profile->cluster : "";
            h->h.in_attack = o->in_attack;
            h->h.has_profile = o->profile != NULL;
            h->h.log_odds = lp[gi] - m->logprior[gi];
        } else {
            h->h.id = "unknown";
            h->h.name = "an actor not in the knowledge base";
            h->h.cluster = "";
            h->h.is_unknown = 1;
        }
    }
    qsort(as->hyp, as->nh, sizeof *as->hyp, hyp_cmp);
    /* evidence for and against, confidence, words */
    for (size_t r = 0; r < as->nh; r++) {
        hyp_ext *h = &as->hyp[r];
        h->h.confidence = confidence(&es, h->h.likelihood, r == 0);
        if (h->h.is_unknown && h->h.confidence == SP_CONF_HIGH) h->h.confidence = SP_CONF_MODERATE;
        h->h.confidence_word = sp_confidence_word(h->h.confidence);
        h->h.likelihood_term = sp_icd203_term(h->h.likelihood);
        size_t cap = nit + pv.n + 3, nf = 0, na = 0;
        sp_attr_item *fi = sp_arena_alloc(&as->ar, cap * sizeof *fi), *ag = sp_arena_alloc(&as->ar, cap * sizeof *ag);
        if (!fi || !ag) goto nomem;
        if (h->gi == SIZE_MAX) {
            /* items no group is known for speak for an unknown actor */
            for (size_t i = 0; i < nit; i++) {
                if (m->df[it[i].feat]) continue;
                fi[nf++] = (sp_attr_item){it[i].kind == RI_TECH ? "technique" : it[i].kind == RI_SW ? "software" : "malware",
                                          it[i].id, it[i].name, -item_weight(m, &it[i], famw, as->hyp[0].gi == SIZE_MAX ? 0 : as->hyp[0].gi),
                                          "no group in the knowledge base is known to use it"};
            }
        } else {
            size_t gi = h->gi;
            /* keep the lists short for the long tail */
            int detail = r < 40;
            for (size_t i = 0; i < nit && detail; i++) {
                double w = item_weight(m, &it[i], famw, gi);
                if (!m->df[it[i].feat]) {
                    /* what no group is known for weighs alike for every group: it is
                     * evidence for the unknown actor, not against this group; only
                     * its family part (if any) tells groups apart */
                    double nov = it[i].s * m->llr_novel;
                    if (it[i].kind == RI_SW) nov *= am_swq(m, it[i].feat - 2 * m->nt);
                    w -= nov / m->p.temperature;
                }
                if (fabs(w) < 0.02) continue;
                sp_attr_item x = {it[i].kind == RI_TECH ? "technique" : it[i].kind == RI_SW ? "software" : "malware",
                                  it[i].id, it[i].name ? it[i].name : "", w, tech_why(&as->ar, m, &it[i], gi, w)};
                if (!x.why) goto nomem;
                if (w > 0) fi[nf++] = x; else ag[na++] = x;
            }
            if (knn && knd[gi] != SIZE_MAX && m->p.knn * knn[gi] >= 0.02) {
                size_t d = knd[gi];
                uint32_t rk = m->doc_rep[d];
                const char *src = "";
                if (rk < m->nrep) { const sp_kb_report *rp = sp_kb_report_at(a->kb, rk); src = rp ? rp->source : ""; }
                else src = sp_kb_object_at(a->kb, SP_KB_CAMPAIGN, rk - m->nrep)->id;
                sp_attr_item x = {"report", src, rk < m->nrep ? "" : sp_kb_object_at(a->kb, SP_KB_CAMPAIGN, rk - m->nrep)->name,
                                  m->p.knn * knn[gi],
                                  afmt(&as->ar, "the most similar earlier %s about it (cosine %.2f over %u items)",
                                       rk < m->nrep ? "report" : "attributed campaign", knn[gi], m->doc_off[d + 1] - m->doc_off[d])};
                if (!x.why) goto nomem;
                fi[nf++] = x;
            }
            if (swk && swd[gi] != SIZE_MAX && m->p.swknn * swk[gi] >= 0.02) {
                const sp_kb_object *so = sp_kb_object_at(a->kb, SP_KB_SOFTWARE, swd[gi]);
                sp_attr_item x = {"tool behaviour", so->id, so->name, m->p.swknn * swk[gi],
                                  afmt(&as->ar, "the techniques seen resemble what %s, which it uses, does (cosine %.2f)", so->name,
                                       swk[gi] / (m->c[gi * m->nf + am_fsw(m, swd[gi])] < 1 ? m->c[gi * m->nf + am_fsw(m, swd[gi])] : 1))};
                if (!x.why) goto nomem;
                fi[nf++] = x;
            }
            for (size_t i = 0; i < pv.n; i++) {
                if (pv.v[i].gi != gi) continue;
                sp_attr_item x = {pv.v[i].kind, pv.v[i].id, "", pv.v[i].w, pv.v[i].why};
                if (pv.v[i].w > 0) fi[nf++] = x; else ag[na++] = x;
            }
        }
        qsort(fi, nf, sizeof *fi, item_cmp);
        qsort(ag, na, sizeof *ag, item_cmp);
        h->h.for_items = fi; h->h.nfor = nf;
        h->h.against = ag; h->h.nagainst = na;
    }
    /* clusters */
    {
        size_t cap = 0;
        for (size_t r = 0; r < as->nh; r++) if (as->hyp[r].h.cluster[0]) cap++;
        as->cl = sp_arena_zalloc(&as->ar, (cap ? cap : 1) * sizeof *as->cl);
        if (!as->cl) goto nomem;
        for (size_t r = 0; r < as->nh; r++) {
            const char *cn = as->hyp[r].h.cluster;
            if (!cn[0]) continue;
            size_t c = 0;
            while (c < as->ncl && strcmp(as->cl[c].name, cn)) c++;
            if (c == as->ncl) {
                as->cl[c].name = cn;
                as->cl[c].members = sp_arena_zalloc(&as->ar, cap * sizeof(char *));
                if (!as->cl[c].members) goto nomem;
                as->ncl++;
            }
            as->cl[c].likelihood += as->hyp[r].h.likelihood;
            ((const char **)as->cl[c].members)[as->cl[c].nmembers++] = as->hyp[r].h.id;
        }
        for (size_t i = 1; i < as->ncl; i++) {
            sp_attr_cluster t = as->cl[i];
            size_t j = i;
            while (j > 0 && as->cl[j - 1].likelihood < t.likelihood) { as->cl[j] = as->cl[j - 1]; j--; }
            as->cl[j] = t;
        }
        double top = as->nh ? as->hyp[0].h.likelihood : 0;
        for (size_t c = 0; c < as->ncl; c++) {
            sp_attr_cluster *x = &as->cl[c];
            x->confidence = confidence(&es, x->likelihood, c == 0 && x->likelihood >= top);
            x->confidence_word = sp_confidence_word(x->confidence);
            x->likelihood_term = sp_icd203_term(x->likelihood);
        }
    }
    if (hunt_next(a, as, it, nit, ev)) goto nomem;
    as->info.techniques = es.ntech;
    as->info.software = es.nsw;
    as->info.malware = es.nmal;
    as->info.ips = ev->nip;
    as->info.countries = ev->ncc;
    as->info.asns = ev->nasn;
    as->info.thin = es.thin;
    as->info.confidence = as->nh ? as->hyp[0].h.confidence : SP_CONF_LOW;
    free(it); free(pv.v); free(lp); free(post); free(famw); free(knn); free(knd); free(swk); free(swd);
    as->info.ms = attr_now_ms() - t0;
    *out = as;
    return SP_OK;
nomem:
    free(it); free(pv.v); free(lp); free(post); free(famw); free(knn); free(knd); free(swk); free(swd);
    sp_assessment_free(as);
    return SP_ERR_NOMEM;
}

void sp_assessment_free(sp_assessment *as)
{
    if (!as) return;
    sp_arena_fini(&as->ar);
    free(as);
}

void sp_assessment_get_info(const sp_assessment *as, sp_assessment_info *out)
{
    if (!out) return;
    if (!as) { memset(out, 0, sizeof *out); return; }
    *out = as->info;
}

size_t sp_assessment_count(const sp_assessment *as) { return as ? as->nh : 0; }

const sp_hypothesis *sp_assessment_at(const sp_assessment *as, size_t i)
{
    return as && i < as->nh ? &as->hyp[i].h : NULL;
}

const sp_hypothesis *sp_assessment_find(const sp_assessment *as, const char *id)
{
    if (!as || !id) return NULL;
    for (size_t i = 0; i < as->nh; i++)
        if (attr_ci_eq(as->hyp[i].h.id, id) || attr_ci_eq(as->hyp[i].h.name, id)) return &as->hyp[i].h;
    size_t g;
    if (!sp_kb_lookup(as->kb, SP_KB_GROUP, id, &g)) return NULL;
    const sp_kb_object *o = sp_kb_object_at(as->kb, SP_KB_GROUP, g);
    for (size_t i = 0; i < as->nh; i++)
        if (!strcmp(as->hyp[i].h.id, o->id)) return &as->hyp[i].h;
    return NULL;
}

size_t sp_assessment_cluster_count(const sp_assessment *as) { return as ? as->ncl : 0; }
const sp_attr_cluster *sp_assessment_cluster_at(const sp_assessment *as, size_t i)
{
    return as && i < as->ncl ? &as->cl[i] : NULL;
}
size_t sp_assessment_next_count(const sp_assessment *as) { return as ? as->nnx : 0; }
const sp_hunt_next *sp_assessment_next_at(const sp_assessment *as, size_t i)
{
    return as && i < as->nnx ? &as->nx[i] : NULL;
}
