/*
 * analytics.h — what `spoor hunt` learns from every event, not only from the
 * ones rules flag: logons and account changes (the logon summary), and the
 * hands-on activity behind the operator-hours estimate.
 *
 *   logons.c   collectors fed one event at a time by each worker
 *              (sp_ana_worker, no locking), merged at the end (sp_ana)
 *   hours.c    the activity histogram by UTC weekday/hour and the UTC offset
 *              that best fits a working week
 *
 * Ownership: the hunt owns one sp_ana and one sp_ana_worker per worker.
 * Strings are copied into the owner's arena.  Everything is bounded
 * (SP_ANA_* in limits.h): past a bound, items are counted, not kept.
 */
#ifndef SP_ANALYTICS_H
#define SP_ANALYTICS_H

#include <stdint.h>
#include "spoor.h"
#include "base/arena.h"
#include "sigma/sigma_event.h"

#ifndef SP_ANA_MAX_LOGON_KEYS
#define SP_ANA_MAX_LOGON_KEYS 100000   /* (account, type, source) rows kept */
#endif
#ifndef SP_ANA_MAX_CHANGES
#define SP_ANA_MAX_CHANGES 100000      /* account/group changes kept */
#endif
#ifndef SP_ANA_MAX_ACTIVITY
#define SP_ANA_MAX_ACTIVITY 1000000    /* hands-on activity timestamps kept */
#endif
#ifndef SP_ANA_MAX_IPS
#define SP_ANA_MAX_IPS 100000          /* external IPs kept */
#endif

#ifndef SP_ANA_MAX_WEB
#define SP_ANA_MAX_WEB 4096            /* (site, script) resources tallied */
#endif
#ifndef SP_ANA_MAX_CLIENTS
#define SP_ANA_MAX_CLIENTS 32          /* clients kept per resource */
#endif
#ifndef SP_ANA_MAX_FLOWS
#define SP_ANA_MAX_FLOWS 100000        /* (host, public destination) pairs */
#endif
#ifndef SP_ANA_MAX_FLOW_TIMES
#define SP_ANA_MAX_FLOW_TIMES 4096     /* connection times kept per pair */
#endif

typedef struct sp_ana sp_ana;
typedef struct sp_ana_worker sp_ana_worker;

sp_ana *sp_ana_new(void);
void sp_ana_free(sp_ana *a);
sp_ana_worker *sp_ana_worker_new(void);
void sp_ana_worker_free(sp_ana_worker *w);

/* Look at one event (any source shape).  `source` and `record` name it. */
void sp_ana_observe(sp_ana_worker *w, const sp_event *ev, uint32_t source, uint64_t record);
/* Hands-on activity known from elsewhere (a detection): counted in the hours
 * histogram once per (source, record). */
void sp_ana_activity(sp_ana_worker *w, int64_t time_ms, uint32_t source, uint64_t record);
/* Fold a worker into the whole (call once per worker, at the end). */
int sp_ana_merge(sp_ana *a, const sp_ana_worker *w);
/* Sort and deduplicate after the last merge; enrich IPs with geo/ASN when
 * `geo` is given, web-shell clients with the actor an indicator in `intel`
 * (may be NULL) links them to. */
void sp_ana_finish(sp_ana *a, const sp_geo *geo, const struct sp_intel *intel, const struct sp_kb *kb);
size_t sp_ana_ip_count(const sp_ana *a);
const sp_ip_row *sp_ana_ip(const sp_ana *a, size_t i);   /* most seen first */

/* ----------------------------------------------------------- results */

size_t sp_ana_logon_count(const sp_ana *a);
/* web-shell endpoints seen (after merging; their clients are matched to
 * actor profiles at sp_ana_finish) */
size_t sp_ana_web_count(const sp_ana *a);
const sp_logon_row *sp_ana_logon(const sp_ana *a, size_t i);   /* most failures+successes first */
size_t sp_ana_change_count(const sp_ana *a);
const sp_account_change *sp_ana_change(const sp_ana *a, size_t i);   /* time order */
void sp_ana_hours(const sp_ana *a, sp_hours *out);

/* webc2.c: suspected web shells (score >= 3, highest first) and public
 * destinations no DNS answer produced (beacons first) */
size_t sp_ana_webshell_count(const sp_ana *a);
const sp_webshell *sp_ana_webshell(const sp_ana *a, size_t i);
size_t sp_ana_c2_count(const sp_ana *a);
const sp_c2_row *sp_ana_c2(const sp_ana *a, size_t i);

/* hours.c: the estimate from a histogram (exposed for tests) */
void sp_hours_fit(sp_hours *h);

#endif
