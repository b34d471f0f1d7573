/*
 * bench.h — the attribution benchmark (bench.c) and its calibration tally
 * (assess.c), used by `spoor bench attribution` and the unit tests.
 */
#ifndef SP_ATTR_BENCH_H
#define SP_ATTR_BENCH_H

#include "attr/attr_int.h"

typedef struct attr_metrics {
    size_t n, top1, top3, top5, top10;
    double mrr;                 /* sum; divide by n */
} attr_metrics;

/* how often the top hypothesis is right, by its confidence and by its
 * likelihood (ICD 203 band) */
typedef struct attr_calib {
    size_t n;
    size_t conf_n[4], conf_ok[4];       /* index: sp_confidence (1..3) */
    size_t band_n[7], band_ok[7];       /* ICD 203 bands, "almost no chance" .. "almost certain" */
    double band_p[7];                   /* sum of stated likelihoods per band */
    size_t unknown_top;                 /* "not in the knowledge base" ranked first */
    size_t named[4];                    /* a group ranked first, by its confidence */
    size_t thin, thin_low;              /* thin-evidence cases, and those stated low */
    double brier;                       /* sum over cases of (p_top - correct)^2 */
} attr_calib;

typedef struct attr_proto_result {
    size_t cases;
    attr_metrics model, tfidf;
    double ms;                  /* whole protocol (model rebuilt per case) */
    double score_ms;            /* scoring only, summed */
} attr_proto_result;

typedef struct attr_bench_opts {
    unsigned min_items;         /* leave-one-report-out: items a report must support */
    int calib;
} attr_bench_opts;

typedef struct attr_bench_result {
    size_t attributed_to;       /* campaign attributed-to relationships seen */
    size_t single_group_reports;
    attr_proto_result loco, loco_strict, loro;   /* loco_strict: also the campaign's reports */
    attr_proto_result open;     /* unattributed campaigns (no ranks) */
    attr_calib cal_loco, cal_loro, cal_open;
} attr_bench_result;

int attr_bench(const sp_kb *kb, const attr_params *p, const attr_bench_opts *o, attr_bench_result *r);
/* tally one case: score[] = log-likelihood + log prior per group */
void attr_calib_add(attr_calib *c, const attr_model *m, const double *score, const uint32_t *truth, size_t ntruth,
                    size_t ntech, size_t nsw);
int attr_icd_band(double p);    /* 0 .. 6 */

#endif
