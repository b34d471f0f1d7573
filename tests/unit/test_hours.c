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
