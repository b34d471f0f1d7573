/*
 * json_event.h — one field-access layer over the three JSON shapes Windows
 * events arrive in, so the same Sigma rules match them all:
 *
 *   evtx_dump   {"Event":{"System":{…,"Provider":{"#attributes":{"Name":…}}},
 *               "EventData":{"CommandLine":…}}}           (evtx crate, spoor)
 *   ECS         {"winlog":{"channel":…,"event_data":{"CommandLine":…}},
 *               "event":{"code":"4688"},"@timestamp":…}   (Winlogbeat, Elastic)
 *   flat        {"Channel":…,"EventID":4688,"Hostname":…,"CommandLine":…}
 *               (NXLog, OTRF Security-Datasets, many EDR exports)
 *
 * Every leaf is reachable by its full dotted path, and Windows fields also by
 * the names spoor's EVTX reader uses: EventID, Channel, Computer,
 * Provider_Name, EventRecordID, TimeCreated_SystemTime, and EventData /
 * UserData values by their own names.
 */
#ifndef SP_JSON_EVENT_H
#define SP_JSON_EVENT_H

#include "json/json.h"
#include "sigma/sigma_event.h"

enum { SP_JSHAPE_OTHER = 0, SP_JSHAPE_EVTX_DUMP, SP_JSHAPE_ECS, SP_JSHAPE_FLAT };

typedef struct sp_jfield {
    const char *name;      /* canonical or full-path name */
    uint32_t name_len;
    uint32_t leaf;         /* index into doc.leaves */
} sp_jfield;

typedef struct sp_jevent {
    sp_jdoc doc;
    int shape;
    sp_jfield *fields;     /* sorted by nothing: scanned (events are small) */
    uint32_t nfields;
    int64_t time_ms;       /* INT64_MIN when unknown */
    const char *line;      /* the original text (borrowed) */
    size_t line_len;
} sp_jevent;

/* Parse one JSON line into ev (memory from `a`, reset it per line).
 * Returns 0, or -1 with the reason in err (it names the byte offset). */
int sp_jevent_parse(sp_jevent *ev, const char *line, size_t len, sp_arena *a, char *err, size_t errcap);

/* The event as the matcher sees it. */
void sp_event_from_json(sp_event *out, const sp_jevent *ev);

/* Field lookup by name (as sp_record_field). */
size_t sp_jevent_field(const sp_jevent *ev, const char *name, size_t len, sp_value *vals, size_t max);

#endif
