/*
 * civil.h — proleptic Gregorian calendar arithmetic, shared by every layer
 * that turns a date into milliseconds or back (EVTX FILETIMEs, Sigma time
 * modifiers, log timestamps, JSON event times).  Days are counted from
 * 1970-01-01 (day 0); any year an int holds works, before 1970 too.
 */
#ifndef SP_BASE_CIVIL_H
#define SP_BASE_CIVIL_H

#include <stdint.h>

/* days since 1970-01-01 of year y, month m (1-12), day d (1-31) */
int64_t sp_days_from_civil(int y, int m, int d);
/* the civil date of day z since 1970-01-01 */
void sp_civil_from_days(int64_t z, int *y, int *m, int *d);

#endif
