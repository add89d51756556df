/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wskstackd: run the stack on the ports of a profile, answer ping and ARP,
 * optionally echo UDP, and report what it did.
 *
 *   wskstackd -c FILE [--udp-echo PORT]... [--duration SEC] [--idle-exit MS]
 *             [--stats SEC] [--capture DIR]
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drv.h"
#include "tcp_client.h"
#include "tcp_echo.h"

#include <arpa/inet.h>

#define MAX_ECHO_PORTS 8

struct echo_app {
	unsigned int nb_ports;
	uint16_t ports[MAX_ECHO_PORTS];
	/* per instance, per echo port */
	struct stk_udp_sock *socks[RTE_MAX_LCORE][MAX_ECHO_PORTS];
	unsigned int nb_tcp;
	uint16_t tcp_ports[MAX_ECHO_PORTS];
	struct stk_tcp_conn *listeners[RTE_MAX_LCORE][MAX_ECHO_PORTS];
};

static struct drv_runtime *the_rt;
static struct tcp_client_conf client = { .conns = 1 };
static bool client_on;
static struct echo_app echo;
static double opt_duration, opt_stats;
static long opt_idle_ms = -1;

static void
usage(FILE *f)
{
	fprintf(f, "usage: wskstackd -c FILE [--udp-echo PORT]... [--tcp-echo PORT]... [--duration SEC]\n"
		   "                 [--idle-exit MS]\n"
		   "                 [--stats SEC] [--capture DIR]\n"
		   "  -c FILE          profile (INI), see config/README.md\n"
		   "  --udp-echo PORT  echo UDP datagrams sent to PORT (repeatable, up to 8)\n"
		   "  --tcp-echo PORT  echo TCP connections to PORT (repeatable, up to 8)\n"
		   "  --duration SEC   stop after SEC seconds\n"
		   "  --idle-exit MS   stop once no frame has arrived for MS milliseconds\n"
		   "  --stats SEC      print a progress line every SEC seconds\n"
		   "  --capture DIR    write DIR/port<N>.pcap with every frame in and out\n"
		   "  --tcp-connect A.B.C.D:PORT  run a TCP client on lcore 0, stop when it is done\n"
		   "  --client-send BYTES  bytes the client sends per connection (then FIN)\n"
		   "  --client-recv    the client reads until the server's FIN\n"
		   "  --client-conns N sequential client connections (default 1)\n"
		   "exit status: 0, 1 start-up error, 2 bad arguments, 3 mempool leak,\n"
		   "             4 client connections failed\n");
}

static void
echo_recv(void *arg, struct stk_udp_sock *s, struct rte_mbuf *m, rte_be32_t src,
	  rte_be16_t sport, rte_be32_t dst)
{
	(void)arg;
	(void)dst;
	stk_udp_sendto(s, m, src, sport); /* the payload goes back as it came */
}

static const struct stk_udp_upcalls echo_upcalls = { .recv = echo_recv };

static void
client_finished(void)
{
	drv_runtime_stop(the_rt);
}

static void
echo_init(void *arg, struct stk_inst *in)
{
	struct echo_app *e = arg;
	unsigned int idx = stk_inst_index(in), i;

	for (i = 0; i < e->nb_ports; i++) {
		int rc = stk_udp_open(in, &echo_upcalls, e, &e->socks[idx][i]);

		if (rc == 0)
			rc = stk_udp_bind(e->socks[idx][i], 0, rte_cpu_to_be_16(e->ports[i]));
		if (rc != 0)
			fprintf(stderr, "wskstackd: udp echo port %u: %s\n", e->ports[i],
				stk_strerror(rc));
	}
	if (client_on && idx == 0)
		tcp_client_start(in, &client, client_finished);
	for (i = 0; i < e->nb_tcp; i++) {
		int rc = tcp_echo_listen(in, e->tcp_ports[i], &e->listeners[idx][i]);

		if (rc != 0)
			fprintf(stderr, "wskstackd: tcp echo port %u: %s\n", e->tcp_ports[i],
				stk_strerror(rc));
	}
}

static void
echo_fini(void *arg, struct stk_inst *in)
{
	struct echo_app *e = arg;
	unsigned int idx = stk_inst_index(in), i;

	for (i = 0; i < e->nb_ports; i++)
		if (e->socks[idx][i] != NULL)
			stk_udp_close(e->socks[idx][i]);
	for (i = 0; i < e->nb_tcp; i++)
		if (e->listeners[idx][i] != NULL)
			stk_tcp_close(e->listeners[idx][i]);
}

static void
on_signal(int sig)
{
	(void)sig;
	if (the_rt != NULL)
		drv_runtime_stop(the_rt);
}

static void
print_line(const char *what, const struct stk_stats *s, const char *tail)
{
	uint64_t drops = 0;
	unsigned int i;

	for (i = 1; i < STK_DROP__MAX; i++)
		drops += s->drop[i];
	printf("wskstackd: %s rx_frames=%" PRIu64 " tx_frames=%" PRIu64 " drops=%" PRIu64
	       " arp_rx=%" PRIu64 " icmp_echo_replies=%" PRIu64 " udp_rx=%" PRIu64
	       " udp_tx=%" PRIu64 "%s\n",
	       what, s->cnt[STK_CNT_RX_FRAMES], s->cnt[STK_CNT_TX_FRAMES], drops,
	       s->cnt[STK_CNT_ARP_RX], s->cnt[STK_CNT_ICMP_ECHO_REPLY_TX], s->cnt[STK_CNT_UDP_RX],
	       s->cnt[STK_CNT_UDP_TX], tail);
}

/* One line naming every drop reason that occurred, e.g. "drops: ipv4_bad_checksum=1". */
static void
print_drops(const struct stk_stats *s)
{
	unsigned int i, n = 0;

	for (i = 1; i < STK_DROP__MAX; i++) {
		if (s->drop[i] == 0)
			continue;
		printf("%s %s=%" PRIu64, n++ == 0 ? "wskstackd: drops:" : "", stk_drop_name(i),
		       s->drop[i]);
	}
	if (n != 0)
		printf("\n");
}

/* Watches the clock for --duration, --idle-exit and --stats. */
static void *
watcher(void *arg)
{
	struct drv_runtime *rt = arg;
	struct timespec start, now;
	double last_stats = 0, last_rx_change = 0;
	uint64_t last_rx = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!drv_runtime_stopping(rt)) {
		double t;
		uint64_t rx;

		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		t = (double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
		rx = drv_runtime_rx_frames(rt);
		if (rx != last_rx) {
			last_rx = rx;
			last_rx_change = t;
		}
		if ((opt_duration > 0 && t >= opt_duration) ||
		    (opt_idle_ms >= 0 && (t - last_rx_change) * 1000 >= (double)opt_idle_ms))
			drv_runtime_stop(rt);
		if (opt_stats > 0 && t - last_stats >= opt_stats) {
			struct stk_stats s;

			last_stats = t;
			drv_runtime_stats(rt, &s);
			print_line("progress", &s, "");
		}
	}
	return NULL;
}

static void
print_ports(struct drv_runtime *rt)
{
	const struct stk_shared *sh = stk_inst_shared(drv_runtime_inst(rt, 0));
	uint16_t i;

	for (i = 0; i < stk_shared_nb_ports(sh); i++) {
		const struct stk_port_conf *pc = stk_shared_port(sh, i);
		const uint8_t *a = (const uint8_t *)&pc->addr;
		struct drv_port_info pi;
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		drv_port_info(drv_runtime_port(rt, i), &pi);
		rte_ether_format_addr(mac, sizeof(mac), &pc->mac);
		printf("wskstackd: %s %s (%s) %u.%u.%u.%u/%u mac %s mtu %u queues %u caps 0x%x\n",
		       pc->name, pi.name, pi.driver, a[0], a[1], a[2], a[3], pc->prefix_len, mac,
		       pc->mtu, pc->nb_queues, pc->caps);
	}
}

static void
on_ready(struct drv_runtime *rt)
{
	pthread_t th;

	print_ports(rt);
	printf("wskstackd: ready\n");
	if (pthread_create(&th, NULL, watcher, rt) == 0)
		pthread_detach(th);
}

static int
parse_number(const char *s, double min, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A.B.C.D:PORT into the client's target. */
static int
parse_addr_port(const char *s)
{
	char buf[64], *colon;
	struct in_addr a;
	double port;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || parse_number(colon + 1, 1, 65535, &port) != 0)
		return -1;
	client.addr = a.s_addr;
	client.port = rte_cpu_to_be_16((uint16_t)port);
	return 0;
}

static int
parse_args(int argc, char **argv, const char **conf, const char **capture)
{
	static const struct option opts[] = {
		{ "udp-echo", required_argument, NULL, 'u' }, { "tcp-echo", required_argument, NULL, 't' }, { "duration", required_argument, NULL, 'd' },
		{ "idle-exit", required_argument, NULL, 'i' }, { "stats", required_argument, NULL, 's' },
		{ "capture", required_argument, NULL, 'p' },  { "help", no_argument, NULL, 'h' },
		{ "tcp-connect", required_argument, NULL, 'C' },
		{ "client-send", required_argument, NULL, 'S' },
		{ "client-recv", no_argument, NULL, 'R' },
		{ "client-conns", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': *conf = optarg; break;
		case 'p': *capture = optarg; break;
		case 'u':
			if (echo.nb_ports == MAX_ECHO_PORTS || parse_number(optarg, 1, 65535, &v) != 0)
				return -1;
			echo.ports[echo.nb_ports++] = (uint16_t)v;
			break;
		case 't':
			if (echo.nb_tcp == MAX_ECHO_PORTS || parse_number(optarg, 1, 65535, &v) != 0)
				return -1;
			echo.tcp_ports[echo.nb_tcp++] = (uint16_t)v;
			break;
		case 'd': if (parse_number(optarg, 0.001, 1e7, &opt_duration) != 0) return -1; break;
		case 's': if (parse_number(optarg, 0.1, 1e7, &opt_stats) != 0) return -1; break;
		case 'i':
			if (parse_number(optarg, 1, 1e9, &v) != 0)
				return -1;
			opt_idle_ms = (long)v;
			break;
		case 'C':
			if (parse_addr_port(optarg) != 0)
				return -1;
			client_on = true;
			break;
		case 'S':
			if (parse_number(optarg, 0, 1e15, &v) != 0)
				return -1;
			client.send_bytes = (uint64_t)v;
			break;
		case 'R': client.recv = true; break;
		case 'N':
			if (parse_number(optarg, 1, 1e7, &v) != 0)
				return -1;
			client.conns = (unsigned int)v;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return *conf == NULL || optind != argc ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const char *conf = NULL, *capture = NULL;
	struct drv_overrides ov = { 0 };
	struct drv_app app = { echo_init, echo_fini, &echo };
	struct stk_stats s;
	char err[512];
	unsigned int leaked;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &conf, &capture) != 0) {
		usage(stderr);
		return 2;
	}
	ov.capture_dir = capture;
	if (drv_runtime_init(conf, argv[0], &ov, &the_rt, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		drv_runtime_close(the_rt);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	drv_runtime_run(the_rt, &app, on_ready);
	drv_runtime_stats(the_rt, &s);
	leaked = drv_runtime_close(the_rt);
	print_drops(&s);
	print_line("summary", &s, leaked == 0 ? " pools=clean" : " pools=LEAK");
	if (leaked != 0)
		return 3;
	return client_on && tcp_client_failed() != 0 ? 4 : 0;
}
