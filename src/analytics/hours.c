/*
 * hours.c — which UTC offset makes the operators' activity look like a
 * working week.
 *
 * Model: in its own time zone an operator works an office week — a weight per
 * local hour (core hours 09-12 and 13-18 highest, a lunch dip, shoulders at
 * 08 and 18-21, little at night) times a weekday factor (weekends low),
 * normalised over the week.  Shoulders matter: a flat window would fit every
 * offset that puts the activity inside it equally well.  For every candidate
 * offset (-12:00 .. +14:00 in whole hours,
 * plus the common half-hour zones) the log-likelihood of the histogram is
 * computed; with a flat prior the posterior of each offset follows.
 * Neighbouring offsets explain a histogram almost equally well, so the
 * confidence is judged on the posterior of the best offset +-1 hour and on
 * the number of events:
 *   high     >= 50 events and >= 0.90 of the posterior within +-1 h
 *   moderate >= 20 events and >= 0.60
 *   low      otherwise (also: fewer than 10 events)
 */
#include "analytics/analytics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WIN_START 8
#define WIN_END 19     /* exclusive: the window reported as "in_window" */

static const double hour_w[24] = {
    0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.15, 0.5, 1.0, 1.0, 1.0,
    0.7, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.3, 0.15, 0.15, 0.05, 0.05};
#define WEEKEND_W 0.15

static int in_window(int wd, int hour) { return wd < 5 && hour >= WIN_START && hour < WIN_END; }

/* offsets tried, in minutes */
static const int offsets[] = {
    -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -120, -60, 0, 60, 120, 180,
    210, 240, 270, 300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720, 765, 780, 840};
#define NOFF (sizeof offsets / sizeof *offsets)

/* log-likelihood of the histogram for one offset.  A half-hour offset splits
 * each UTC hour between two local hours: its count is shared half and half. */
static double logp[7][24];
static void init_logp(void)
{
    static int done;
    if (done) return;
    double z = 0;
    for (int d = 0; d < 7; d++)
        for (int k = 0; k < 24; k++) z += hour_w[k] * (d < 5 ? 1.0 : WEEKEND_W);
    for (int d = 0; d < 7; d++)
        for (int k = 0; k < 24; k++) logp[d][k] = log(hour_w[k] * (d < 5 ? 1.0 : WEEKEND_W) / z);
    done = 1;
}

static double loglik(const sp_hours *h, int off)
{
    double ll = 0;
    for (int wd = 0; wd < 7; wd++)
        for (int hr = 0; hr < 24; hr++) {
            uint32_t c = h->by_hour_utc[wd][hr];
            if (!c) continue;
            int m = wd * 1440 + hr * 60 + off;         /* local minute of the week */
            for (int part = 0; part < 2; part++) {
                int mm = m + part * 30;
                mm = ((mm % 10080) + 10080) % 10080;
                int lwd = mm / 1440, lhr = (mm % 1440) / 60;
                ll += 0.5 * c * logp[lwd][lhr];
            }
        }
    return ll;
}

void sp_hours_fit(sp_hours *h)
{
    h->best_offset_min = 0;
    h->best_posterior = 0;
    h->second_offset_min = 0;
    h->second_posterior = 0;
    h->in_window = 0;
    h->confidence = "low";
    if (!h->n) return;
    init_logp();
    double ll[NOFF], mx = -INFINITY;
    for (size_t i = 0; i < NOFF; i++) {
        ll[i] = loglik(h, offsets[i]);
        if (ll[i] > mx) mx = ll[i];
    }
    double z = 0, post[NOFF];
    for (size_t i = 0; i < NOFF; i++) z += post[i] = exp(ll[i] - mx);
    size_t b = 0, s = SIZE_MAX;
    for (size_t i = 0; i < NOFF; i++) {
        post[i] /= z;
        if (post[i] > post[b]) b = i;
    }
    /* the best offset more than an hour away from the first: the real rival */
    for (size_t i = 0; i < NOFF; i++)
        if (abs(offsets[i] - offsets[b]) > 60 && (s == SIZE_MAX || post[i] > post[s])) s = i;
    h->best_offset_min = offsets[b];
    h->best_posterior = post[b];
    if (s != SIZE_MAX) { h->second_offset_min = offsets[s]; h->second_posterior = post[s]; }
    double near = 0;
    for (size_t i = 0; i < NOFF; i++)
        if (abs(offsets[i] - offsets[b]) <= 60) near += post[i];
    /* share of events inside the window at the best offset */
    uint64_t in = 0;
    for (int wd = 0; wd < 7; wd++)
        for (int hr = 0; hr < 24; hr++) {
            int mm = ((wd * 1440 + hr * 60 + offsets[b] + 15) % 10080 + 10080) % 10080;
            if (in_window(mm / 1440, (mm % 1440) / 60)) in += h->by_hour_utc[wd][hr];
        }
    h->in_window = (double)in / (double)h->n;
    if (h->n >= 50 && near >= 0.90) h->confidence = "high";
    else if (h->n >= 20 && near >= 0.60) h->confidence = "moderate";
    else h->confidence = "low";
}
