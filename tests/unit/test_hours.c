/* test_hours.c — the operator-hours estimate (src/analytics/hours.c). */
#include "test.h"

#include <stdlib.h>
#include "analytics/analytics.h"

/* n events per weekday, spread over local office hours 09-17, at a UTC offset */
static void office_week(sp_hours *h, int offset_min, int per_day, unsigned seed)
{
    memset(h, 0, sizeof *h);
    for (int d = 0; d < 5; d++)
        for (int i = 0; i < per_day; i++) {
            seed = seed * 1103515245u + 12345u;
            int local_min = (9 * 60) + (int)(seed >> 8) % (8 * 60);
            int m = d * 1440 + local_min - offset_min;
            m = ((m % 10080) + 10080) % 10080;
            h->by_hour_utc[m / 1440][(m % 1440) / 60]++;
            h->n++;
        }
}

TEST(hours_finds_utc_plus_9)
{
    sp_hours h;
    office_week(&h, 540, 12, 7);
    sp_hours_fit(&h);
    CHECK(abs(h.best_offset_min - 540) <= 60);
    CHECK_STR(h.confidence, "high");
    CHECK(h.in_window > 0.9);
}

TEST(hours_finds_negative_and_half_hour_offsets)
{
    sp_hours h;
    office_week(&h, -300, 12, 3);
    sp_hours_fit(&h);
    CHECK(abs(h.best_offset_min + 300) <= 60);
    office_week(&h, 330, 12, 5);
    sp_hours_fit(&h);
    CHECK(abs(h.best_offset_min - 330) <= 60);
}

TEST(hours_thin_evidence_is_low_confidence)
{
    sp_hours h;
    office_week(&h, 540, 1, 9);   /* 5 events */
    sp_hours_fit(&h);
    CHECK_STR(h.confidence, "low");
    memset(&h, 0, sizeof h);
    sp_hours_fit(&h);
    CHECK_STR(h.confidence, "low");
    CHECK_EQ_INT(h.n, 0);
}

TEST(hours_uniform_activity_is_not_confident)
{
    sp_hours h;
    memset(&h, 0, sizeof h);
    for (int d = 0; d < 7; d++)
        for (int k = 0; k < 24; k++) { h.by_hour_utc[d][k] = 3; h.n += 3; }
    sp_hours_fit(&h);
    CHECK(strcmp(h.confidence, "high") != 0);
}

/* Activity reaches the hours histogram once per (source, record), whatever
 * order the workers saw it in: runs already in order (merged), runs out of
 * order, many runs, duplicates next to each other and far apart.  Record r of input r / 400 sits at hour r % 24 of a Monday
 * (1970-01-05). */
static void activity_case(int nworkers, size_t nrec, int reversed_blocks, int dups)
{
    sp_ana *a = sp_ana_new();
    sp_ana_worker *w[4];
    for (int k = 0; k < nworkers; k++) w[k] = sp_ana_worker_new();
    const int64_t monday = 4 * 86400000LL;
    size_t block = 37;
    for (size_t b = 0; b * block < nrec; b++) {
        size_t bb = reversed_blocks ? (nrec + block - 1) / block - 1 - b : b;   /* blocks back to front */
        for (size_t r = bb * block; r < (bb + 1) * block && r < nrec; r++) {
            int64_t t = monday + (int64_t)(r % 24) * 3600000LL;
            sp_ana_worker *x = w[bb % (size_t)nworkers];
            sp_ana_activity(x, t, (uint32_t)(r / 400), r);
            if (dups) sp_ana_activity(x, t, (uint32_t)(r / 400), r);          /* next to itself */
            if (dups && r % 5 == 0) sp_ana_activity(w[(bb + 1) % (size_t)nworkers], t, (uint32_t)(r / 400), r);   /* far away */
        }
    }
    for (int k = 0; k < nworkers; k++) CHECK(sp_ana_merge(a, w[k]) == 0);
    sp_ana_finish(a, NULL, NULL, NULL);
    sp_hours h;
    sp_ana_hours(a, &h);
    CHECK(h.n == nrec);
    for (int hr = 0; hr < 24; hr++) {
        size_t want = nrec / 24 + ((size_t)hr < nrec % 24);
        CHECK(h.by_hour_utc[0][hr] == want);
    }
    for (int k = 0; k < nworkers; k++) sp_ana_worker_free(w[k]);
    sp_ana_free(a);
}

TEST(hours_activity_counted_once_per_record)
{
    activity_case(1, 1000, 0, 0);   /* one run */
    activity_case(1, 1000, 0, 1);   /* one run, duplicates */
    activity_case(2, 1000, 0, 1);   /* a few runs (two workers), duplicates across them */
    activity_case(4, 1000, 0, 1);
    activity_case(1, 1000, 1, 1);   /* 28 runs back to front */
    activity_case(3, 5000, 1, 1);   /* 136 runs back to front, over three workers */
}
