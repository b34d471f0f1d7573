/*
 * attr_int.h — internals of attribution (docs/attribution.md), shared by
 *
 *   evidence.c  sp_evidence: what a hunt found; the JSON reader; hours fit
 *   model.c     the ATT&CK part of the model: feature space, per-group
 *               weight vectors, background, built from an sp_kb with optional
 *               exclusions (the benchmark's hold-outs); query scoring
 *   assess.c    sp_attr / sp_assessment: profile evidence (infrastructure,
 *               hours, victim), posterior, confidence, for/against, clusters,
 *               what to hunt next
 *   render.c    text and JSON reports
 *   bench.c     leave-one-campaign-out and leave-one-report-out benchmarks,
 *               the TF-IDF cosine baseline, calibration
 */
#ifndef SP_ATTR_INT_H
#define SP_ATTR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "spoor.h"
#include "base/arena.h"

#ifndef SP_ATTR_MAX_ITEMS
#define SP_ATTR_MAX_ITEMS 100000        /* items of one kind in an sp_evidence */
#endif
#ifndef SP_ATTR_MAX_JSON
#define SP_ATTR_MAX_JSON (256u << 20)   /* bytes of an evidence / findings file */
#endif

/* ---------------------------------------------------------------- evidence */

enum { EV_HOSTS_KEPT = 32 };

typedef struct ev_tech {
    char id[16];                /* "T1059.001", upper case */
    uint64_t count;             /* 0: unknown (asserted) */
    int level;                  /* 0 unknown, 1 informational .. 5 critical */
    int status;                 /* 0 unknown, 1 stable, 2 test, 3 experimental, 4 deprecated/unsupported */
    unsigned hosts;             /* stated, or counted from host hashes */
    uint32_t host_hash[EV_HOSTS_KEPT];
    unsigned nhash;
} ev_tech;

typedef struct ev_named { char *s; uint64_t count; } ev_named;
typedef struct ev_ip { char *ip; char cc[3]; uint32_t asn; char *role; } ev_ip;
typedef struct ev_ioc { char *ioc, *actor; } ev_ioc;

#define EV_VEC(T, name) T *name; size_t n##name, cap_##name

struct sp_evidence {
    EV_VEC(ev_tech, tech);
    EV_VEC(ev_named, sw);        /* ids or names as given */
    EV_VEC(ev_named, mal);       /* malware names */
    EV_VEC(ev_ip, ip);
    EV_VEC(ev_named, cc);        /* countries, upper case */
    EV_VEC(uint32_t, asn);
    EV_VEC(ev_ioc, ioc);
    int hours_known, utc_off, hours_conf;   /* conf: 1 low, 2 moderate, 3 high */
    uint64_t hours_events;
    int bare_ip;                 /* -1 unknown */
    char *sector, *vcountry;
};

/* "T1059.001" from "t1059.001" / "attack.t1059.001"; 0 if malformed */
int ev_norm_technique(const char *in, char out[16]);
/* "S0567" from "s0567" / "attack.s0567"; 0 if not of that form */
int ev_norm_software(const char *in, char out[16]);
int ev_level_rank(const char *s);     /* 0 unknown .. 5 critical */
int ev_status_rank(const char *s);
/* strength of a technique observation in (0, 1] */
double ev_tech_strength(const ev_tech *t);

/* ------------------------------------------------------------------- model */

/* What to leave out when building (the benchmark's hold-outs). */
typedef struct attr_excl {
    const uint8_t *report_out;  /* per report key: 1 = cited report held out (NULL none) */
    size_t nreports;
    uint32_t campaign_out;      /* campaign not merged into its group (UINT32_MAX none) */
    int no_profiles;            /* ignore links only profiles state */
} attr_excl;

/* Model parameters (one set for every use: no per-case tuning). */
typedef struct attr_params {
    double mu;                  /* Dirichlet smoothing mass, in mean profile weights */
    double jm;                  /* > 0: Jelinek-Mercer smoothing with this lambda instead */
    double mode;                /* 0 query likelihood, 1 BM25 */
    double k1, b;               /* BM25 */
    double knn;                 /* weight of the similarity to the nearest past report */
    double swknn;               /* weight of the similarity to the behaviour of a tool the group uses */
    double sw_report;           /* software analysed in one of the group's own reports */
    double family;              /* weight of the technique-family feature */
    double sw_expand;           /* software -> its techniques, in the group profile */
    double campaign;            /* attributed campaigns' items, in the group profile */
    double report_bonus;        /* + this * log(reports citing) per link */
    double software_q;          /* query weight of software relative to a technique */
    double tool_q;              /* ... times this for ATT&CK `tool`s (net, arp: what anyone runs) */
    double prior_gamma;         /* prior ∝ (1 + reports of the group)^gamma */
    double temperature;         /* log-likelihoods are divided by this */
} attr_params;

extern const attr_params attr_default_params;

typedef struct attr_model {
    const sp_kb *kb;
    attr_params p;
    size_t nt, ns, nm, nf;      /* techniques, software, extra malware names, features */
    size_t ng;                  /* groups (hypotheses without "unknown") */
    uint32_t *gidx;             /* kb group index of each */
    float *c;                   /* ng x nf profile weights */
    double *gsum;               /* per group: total weight */
    double *bg;                 /* per feature: background probability */
    double *logbg;
    double *idf;                /* BM25 idf per feature */
    double avg_len;             /* mean group weight */
    double mu_eff;              /* mu * avg_len */
    double llr_novel;           /* llr of a feature no group has, for every group alike */
    double *logprior;           /* per group (normalised over groups) */
    uint32_t *nreports;         /* per group: distinct reports behind its links */
    uint32_t *df;               /* per feature: groups having it (for IDF / why) */
    char **mname;               /* extra malware names (lower case), nm */
    uint32_t *tfam;             /* per technique: its family technique index */
    /* past reports (and attributed campaigns) of each group, as documents */
    size_t ndoc, nrep;          /* nrep: report keys; doc_rep >= nrep is campaign doc_rep - nrep */
    uint32_t *doc_k, *doc_rep, *doc_off, *doc_f;
    double *doc_norm;
    double *idf2;               /* ln(N / df)^2 per feature */
    /* each software's techniques (its behaviour) as a document */
    uint32_t *swd_off, *swd_f;  /* ns + 1 offsets; technique and family features */
    double *swd_norm;
} attr_model;

/* Build the ATT&CK + profile model; -1 on memory. */
int attr_model_build(attr_model *m, const sp_kb *kb, const attr_params *p, const attr_excl *ex);
void attr_model_free(attr_model *m);
/* feature index of a technique / its family / software / extra malware name */
static inline size_t am_ft(const attr_model *m, size_t t) { (void)m; return t; }
static inline size_t am_ffam(const attr_model *m, size_t t) { return m->nt + m->tfam[t]; }
static inline size_t am_fsw(const attr_model *m, size_t s) { return 2 * m->nt + s; }
static inline size_t am_fmal(const attr_model *m, size_t k) { return 2 * m->nt + m->ns + k; }
/* P(feature f | group g): the group's share, smoothed towards the background */
static inline double am_p(const attr_model *m, size_t g, size_t f)
{
    double c = m->c[g * m->nf + f], G = m->gsum[g];
    if (m->p.jm > 0) return (G > 0 ? (1.0 - m->p.jm) * c / G : 0) + m->p.jm * m->bg[f];
    return (c + m->mu_eff * m->bg[f]) / (G + m->mu_eff);
}
/* the weight of observing feature f for group g against "an average actor"
 * (query likelihood: the log-likelihood ratio) */
static inline double am_llr(const attr_model *m, size_t g, size_t f)
{
    if (m->p.mode == 1) {
        double c = g == SIZE_MAX ? m->bg[f] * m->avg_len : m->c[g * m->nf + f];
        double G = g == SIZE_MAX ? m->avg_len : m->gsum[g];
        if (c <= 0) return 0;
        return m->idf[f] * c * (m->p.k1 + 1) / (c + m->p.k1 * (1 - m->p.b + m->p.b * G / m->avg_len));
    }
    if (g == SIZE_MAX) return 0;
    /* a feature no group has cannot tell groups apart: the same (negative)
     * weight for each, as for a profile of mean size, so that it speaks for
     * "an actor not in the knowledge base" without favouring small profiles */
    if (!m->df[f]) return m->llr_novel;
    return __builtin_log(am_p(m, g, f)) - m->logbg[f];
}
/* query weight of a software observation: tools anyone runs count less */
static inline double am_swq(const attr_model *m, size_t sw)
{
    const sp_kb_object *o = sp_kb_object_at(m->kb, SP_KB_SOFTWARE, sw);
    return m->p.software_q * (o && o->is_tool ? m->p.tool_q : 1.0);
}
/* Whether a link survives the exclusion: -1 dropped, else the number of
 * citations kept (0: the link cites nothing). */
int attr_link_kept(const sp_kb *kb, const sp_kb_link *l, const attr_excl *ex);
/* extra malware name -> index, or SIZE_MAX */
size_t attr_model_malware(const attr_model *m, const char *name);

/* A query: features with weights. */
typedef struct attr_query { uint32_t *f; double *w; size_t n, cap; } attr_query;
int aq_add(attr_query *q, uint32_t f, double w);
void aq_free(attr_query *q);
/* add a technique (kb index) with strength s: its feature and its family */
int aq_technique(attr_query *q, const attr_model *m, size_t t, double s);
int aq_software(attr_query *q, const attr_model *m, size_t sw, double s);
/* score[g] = sum_i w_i * llr(i, g) / temperature + knn * best[g] (no prior) */
void attr_score(const attr_model *m, const attr_query *q, double *score);
/* per group: the cosine of the query with its most similar past report
 * (best[g]) and which document that is (doc[g], SIZE_MAX none); -1 memory */
int attr_knn(const attr_model *m, const attr_query *q, double *best, size_t *doc);
/* per group: the best cosine of the query with the techniques of a tool the
 * group uses, times how firmly it uses it (best[g]), and which software that
 * is (which[g], SIZE_MAX none; which may be NULL); -1 memory */
int attr_swknn(const attr_model *m, const attr_query *q, double *best, size_t *which);

/* ---------------------------------------------------------------- shared */

double attr_now_ms(void);
int attr_ci_eq(const char *a, const char *b);
char *attr_strdup(const char *s);

#endif
