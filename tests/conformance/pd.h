/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * pktrun: a packetdrill-syntax interpreter for the conformance tier.
 *
 * A script is parsed into a list of events (pd_parse.c); the engine
 * (pd_run.c) replays them against one stack instance on an in-memory
 * device on virtual time: `<` segments are built and injected as if from
 * the remote host (pd_frame.c), `>` segments are taken from the device and
 * compared field by field, and socket calls go to a thin BSD-socket shim
 * over the stk_tcp.h seam (pd_sock.c). See README.md in this folder.
 */
#ifndef PD_H
#define PD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stk.h"
#include "stk_tcp.h"

/** Longest script line kept for messages. */
#define PD_LINE_MAX 512
/** Options of one segment. */
#define PD_OPT_MAX 16
/** Arguments of one system call. */
#define PD_ARG_MAX 8

/** TCP flag bits as on the wire. */
#define PD_FIN 0x01
#define PD_SYN 0x02
#define PD_RST 0x04
#define PD_PSH 0x08
#define PD_ACK 0x10
#define PD_URG 0x20
#define PD_ECE 0x40
#define PD_CWR 0x80

/** IP ECN field of a scripted segment ([noecn], [ect0], [ect1], [ce]); PD_ECN_ANY: not checked. */
enum pd_ecn { PD_ECN_ANY = -1, PD_ECN_NOT = 0, PD_ECN_ECT1 = 1, PD_ECN_ECT0 = 2, PD_ECN_CE = 3 };

/** One TCP option as written in a script or found in a segment. */
struct pd_opt {
	uint8_t kind;         /**< 0 eol, 1 nop, 2 mss, 3 wscale, 4 sackOK, 5 sack, 8 TS, other */
	uint8_t nblk;         /**< SACK blocks */
	uint32_t a, b;        /**< mss / wscale in a; TS val in a, ecr in b */
	uint32_t blk[4][2];   /**< SACK blocks, left and right */
};

/** How a segment's options are checked. */
enum pd_opts_mode {
	PD_OPTS_NONE,   /**< no `<...>` written: the segment has no options */
	PD_OPTS_LIST,   /**< the written list */
	PD_OPTS_ANY,    /**< `<...>`: not checked */
};

/** A segment or ICMP message of a script line, or one the stack sent. */
struct pd_pkt {
	bool icmp;            /**< an ICMP message quoting a segment */
	uint8_t icmp_type, icmp_code;
	uint32_t icmp_mtu;    /**< next-hop MTU of a fragmentation-needed message */
	uint8_t flags;        /**< PD_* TCP flags */
	int ecn;              /**< enum pd_ecn */
	uint32_t seq, end, len; /**< seq:end(len) */
	bool has_ack;
	uint32_t ack;
	bool has_win;         /**< `win N` written (scripted outbound: checked only then) */
	uint32_t win;
	bool has_urg;
	uint32_t urg;
	enum pd_opts_mode opts_mode;
	unsigned int nopt;
	struct pd_opt opt[PD_OPT_MAX];
	uint16_t sport, dport; /**< segments the stack sent; quoted ports of ICMP */
};

/** When an event happens. */
enum pd_time { PD_T_ABS, PD_T_REL, PD_T_ANY };

enum pd_kind { PD_EV_IN, PD_EV_OUT, PD_EV_CALL, PD_EV_SHELL, PD_EV_CODE };

/** A system call line: name(args) = result [ERRNO (text)]. */
struct pd_call {
	char name[24];
	unsigned int nargs;
	char *args[PD_ARG_MAX]; /**< raw argument text, trimmed */
	long ret;               /**< expected return value */
	bool ret_any;           /**< `= ...`? not used by the suite */
	char err[24];           /**< expected errno name ("" if none) */
};

/** One event of a script. */
struct pd_event {
	int line;
	enum pd_kind kind;
	enum pd_time ttype;
	int64_t t_us;          /**< absolute time, or offset from the previous event */
	bool range;            /**< `a...b`: the call may take until t_end_us */
	int64_t t_end_us;      /**< end of the range (same base as t_us) */
	struct pd_pkt pkt;     /**< PD_EV_IN, PD_EV_OUT */
	struct pd_call call;   /**< PD_EV_CALL */
	char *text;            /**< shell command or code snippet; the call's arguments */
	char src[PD_LINE_MAX]; /**< the line as written, for messages */
};

/** A parsed script. */
struct pd_script {
	char path[512];
	char ip_version[8];      /**< "ipv4", "ipv6" */
	int64_t tolerance_us;    /**< --tolerance_usecs (packetdrill's default: 4000) */
	uint32_t mtu;            /**< --mtu (default 1500) */
	char unsupported[160];   /**< set if a script option or construct cannot run here */
	unsigned int nev;
	struct pd_event *ev;
};

/**
 * Parse @p path. Unsupported constructs do not fail the parse: they set
 * s->unsupported (the script is skipped with that reason).
 * @return 0, or -1 with a message in @p err (a syntax error: the script fails).
 */
int pd_parse_file(const char *path, struct pd_script *s, char *err, size_t errlen);
/** Free what pd_parse_file() allocated. */
void pd_script_free(struct pd_script *s);

/* ---- frames (pd_frame.c) ---- */

/** Addresses of the two sides: the stack (local) and the scripted remote host. */
#define PD_LOCAL_IP 0xc6120001u  /* 198.18.0.1, host order */
#define PD_REMOTE_IP 0xc6120002u /* 198.18.0.2 */

/**
 * Build the Ethernet frame of inbound @p p (sequence numbers already live)
 * from @p sport to @p dport. For ICMP, the quoted segment goes from
 * @p dport (ours) to @p sport. @return the frame length.
 */
size_t pd_frame_build(uint8_t *buf, size_t cap, const struct pd_pkt *p, uint16_t sport,
		      uint16_t dport, uint32_t payload_len);
/**
 * Parse a frame the stack sent into @p p (options in wire order, PD_OPTS_LIST).
 * @return 0, or -1 with a reason in @p why (not IPv4/TCP, bad checksum...).
 */
int pd_frame_parse(const uint8_t *f, size_t len, struct pd_pkt *p, char *why, size_t wlen);
/** Format @p p packetdrill-style ("S. 0:0(0) ack 1 win 65535 <mss 1460,...>"). */
void pd_pkt_format(const struct pd_pkt *p, bool outbound, char *buf, size_t len);

/* ---- the socket shim (pd_sock.c) ---- */

struct pd_env;

/** Result of a call: a return value and errno, or still blocked. */
struct pd_res {
	bool blocked;
	long ret;
	int err; /**< errno value, 0 if none */
};

/** Create the shim for instance @p in. */
struct pd_shim *pd_shim_create(struct stk_inst *in, const struct stk_params *p);
/** Close every socket the script left open and free the shim. */
void pd_shim_destroy(struct pd_shim *sh);
/**
 * Start call @p c at time @p now. A call that cannot complete at once on a
 * blocking socket returns blocked; pd_shim_poll() finishes it later.
 * Unsupported calls or arguments set @p unsupported.
 */
struct pd_res pd_shim_call(struct pd_shim *sh, const struct pd_call *c, char *why, size_t wlen,
			   bool *unsupported);
/** Retry the blocked call; @return its result (blocked again if still waiting). */
struct pd_res pd_shim_retry(struct pd_shim *sh, const struct pd_call *c);
/** The connection under test (last accepted or connected), or NULL. */
struct stk_tcp_conn *pd_shim_conn(struct pd_shim *sh);
/** Local and remote ports packets of the connection under test use (host order). */
void pd_shim_ports(struct pd_shim *sh, uint16_t *lport, uint16_t *rport);
/** Tell the shim the port the remote host uses for new connections. */
void pd_shim_set_remote_port(struct pd_shim *sh, uint16_t rport);
/** State name of sockets for sockstat: count sockets in FreeBSD state @p name on port @p port. */
unsigned int pd_shim_count_state(struct pd_shim *sh, const char *name, int port);

/** errno value of a name ("EAGAIN"), or -1. */
int pd_errno_value(const char *name);
/** Name of an errno value. */
const char *pd_errno_name(int err);

#endif /* PD_H */
