/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Placeholder hooks of the extracted samples (sample_rt.h) and the
 * IoFreeIrp wrapper (linked with -Wl,--wrap=IoFreeIrp).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sample_rt.h"

#define SITES_MAX 64
#define FREED_MAX 64

struct site {
	char fn[64];
	int site;        /* 0: a stub */
	unsigned int hits;
	int cond;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct site sites[SITES_MAX];
static unsigned int nb_sites;
static struct wsksample_freed freed[FREED_MAX];
static unsigned int nb_freed;
static pthread_t main_thread;
static bool main_set;
static bool main_in_sample;

/* Called with the lock held. */
static struct site *
site_get(const char *fn, int site)
{
	unsigned int i;

	for (i = 0; i < nb_sites; i++)
		if (sites[i].site == site && strcmp(sites[i].fn, fn) == 0)
			return &sites[i];
	if (nb_sites == SITES_MAX)
		return NULL;
	snprintf(sites[nb_sites].fn, sizeof(sites[nb_sites].fn), "%s", fn);
	sites[nb_sites].site = site;
	return &sites[nb_sites++];
}

static unsigned int
site_hits(const char *fn, int site)
{
	struct site *s;
	unsigned int n;

	pthread_mutex_lock(&lock);
	s = site_get(fn, site);
	n = s != NULL ? s->hits : 0;
	pthread_mutex_unlock(&lock);
	return n;
}

static void
site_hit(const char *fn, int site)
{
	struct site *s;

	pthread_mutex_lock(&lock);
	s = site_get(fn, site);
	if (s != NULL)
		s->hits++;
	pthread_mutex_unlock(&lock);
}

/* Declared by the generated prelude and harness. */
void wsksample_fill(const char *fn, int site);
int wsksample_cond(const char *fn, int site);
void wsksample_stub(const char *fn);
VOID __wrap_IoFreeIrp(PIRP Irp);
VOID __real_IoFreeIrp(PIRP Irp);

void
wsksample_fill(const char *fn, int site)
{
	site_hit(fn, site);
}

int
wsksample_cond(const char *fn, int site)
{
	struct site *s;
	int v;

	pthread_mutex_lock(&lock);
	s = site_get(fn, site);
	if (s != NULL)
		s->hits++;
	v = s != NULL ? s->cond : 0;
	pthread_mutex_unlock(&lock);
	return v;
}

void
wsksample_stub(const char *fn)
{
	site_hit(fn, 0);
}

unsigned int
wsksample_hits(const char *fn, int site)
{
	return site_hits(fn, site);
}

unsigned int
wsksample_stub_calls(const char *fn)
{
	return site_hits(fn, 0);
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

bool
wsksample_wait_hits(const char *fn, int site, unsigned int n, unsigned int ms)
{
	unsigned int waited;

	for (waited = 0; site_hits(fn, site) < n; waited += 2) {
		if (waited >= ms)
			return false;
		sleep_ms(2);
	}
	return true;
}

void
wsksample_set_cond(const char *fn, int site, int value)
{
	struct site *s;

	pthread_mutex_lock(&lock);
	s = site_get(fn, site);
	if (s != NULL)
		s->cond = value;
	pthread_mutex_unlock(&lock);
}

void
wsksample_set_main_thread(void)
{
	main_thread = pthread_self();
	main_set = true;
}

void
wsksample_enter(void)
{
	main_in_sample = true;
}

void
wsksample_leave(void)
{
	main_in_sample = false;
}

unsigned int
wsksample_freed(unsigned int i, struct wsksample_freed *out)
{
	unsigned int n;

	pthread_mutex_lock(&lock);
	n = nb_freed;
	if (out != NULL && i < n)
		*out = freed[i];
	pthread_mutex_unlock(&lock);
	return n;
}

bool
wsksample_wait_freed(unsigned int n, unsigned int ms)
{
	unsigned int waited;

	for (waited = 0; wsksample_freed(0, NULL) < n; waited += 2) {
		if (waited >= ms)
			return false;
		sleep_ms(2);
	}
	return true;
}

VOID
__wrap_IoFreeIrp(PIRP Irp)
{
	bool on_main = main_set && pthread_equal(pthread_self(), main_thread);

	if (Irp != NULL && (!on_main || main_in_sample)) {
		pthread_mutex_lock(&lock);
		if (nb_freed < FREED_MAX)
			freed[nb_freed++] = (struct wsksample_freed){ Irp->IoStatus.Status,
								       Irp->IoStatus.Information };
		pthread_mutex_unlock(&lock);
	}
	__real_IoFreeIrp(Irp);
}
