/* deadline.c - one time limit on the work at hand (an audit) */
#include "deadline.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define NOTES_MAX 4

static struct {
	bool armed;
	long long at;		/* CLOCK_MONOTONIC ms */
	long long ms;
	char what[64];
	char notes[NOTES_MAX][160];
	unsigned n_notes;	/* may exceed NOTES_MAX: counted, not kept */
} dl;

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
deadline_arm(long long ms, const char *what)
{
	memset(&dl, 0, sizeof(dl));
	dl.armed = true;
	dl.ms = ms;
	dl.at = mono_ms() + ms;
	snprintf(dl.what, sizeof(dl.what), "%s", what ? what : "");
}

void
deadline_disarm(void)
{
	memset(&dl, 0, sizeof(dl));
}

long long
deadline_left_ms(void)
{
	long long left;

	if (!dl.armed)
		return LLONG_MAX / 2;
	left = dl.at - mono_ms();
	return left > 0 ? left : 0;
}

bool
deadline_passed(void)
{
	return dl.armed && deadline_left_ms() == 0;
}

void
deadline_note(const char *what)
{
	if (!dl.armed)
		return;
	for (unsigned i = 0; i < dl.n_notes && i < NOTES_MAX; i++)
		if (str_eq(dl.notes[i], what))
			return;
	if (dl.n_notes < NOTES_MAX)
		snprintf(dl.notes[dl.n_notes], sizeof(dl.notes[0]), "%s",
			 what);
	dl.n_notes++;
}

static void
ms_text(long long ms, char *buf, size_t len)
{
	if (ms % 1000)
		snprintf(buf, len, "%lldms", ms);
	else
		snprintf(buf, len, "%llds", ms / 1000);
}

bool
deadline_report(char *buf, unsigned long len)
{
	struct strbuf sb = STRBUF_INIT;
	char t[32];
	char *s;

	/* what was cut noted it: libcurl's clock may run a little ahead */
	if (!dl.armed || !dl.n_notes)
		return false;
	ms_text(dl.ms, t, sizeof(t));
	strbuf_addf(&sb, "the audit did not finish within %s (%s); ", t,
		    dl.what);
	strbuf_addstr(&sb, "still pending: ");
	for (unsigned i = 0; i < dl.n_notes && i < NOTES_MAX; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", dl.notes[i]);
	if (dl.n_notes > NOTES_MAX)
		strbuf_addf(&sb, " and %u more", dl.n_notes - NOTES_MAX);
	s = strbuf_detach(&sb);
	snprintf(buf, len, "%s", s);
	free(s);
	return true;
}

long long
deadline_parse(const char *text)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 },
		{ "m", 60000 }, { "h", 3600000 },
	};
	char *end;
	long long v;

	if (!text || *text < '0' || *text > '9')
		return -1;
	v = strtoll(text, &end, 10);
	if (v <= 0 || v > 86400000)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (str_eq(end, units[i].unit)) {
			if (v > 86400000 / units[i].ms)
				return -1;
			return v * units[i].ms;
		}
	}
	return -1;
}
