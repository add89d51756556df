/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The stack's one list of drop reasons and event counters.
 *
 * Both lists are X-macros: each entry builds an enum value, a name in the
 * telemetry name table and a per-lcore counter. Add a reason here and it
 * appears everywhere (enum, counters, `/wskstack/drops`) with no other edit.
 */
#ifndef STK_DROP_H
#define STK_DROP_H

#include <stdint.h>

/** X(NAME, "what happened to the frame") */
#define STK_DROP_REASONS(X) \
	X(NONE,                "not dropped") \
	X(ETH_TRUNCATED,       "frame shorter than an Ethernet header") \
	X(ETH_NOT_FOR_US,      "destination MAC is not ours, broadcast or multicast") \
	X(ETH_OWN_SRC,         "frame sent from our own MAC (looped back)") \
	X(ETH_VLAN,            "802.1Q/802.1ad tagged frame (VLANs not configured)") \
	X(ETH_UNKNOWN_TYPE,    "EtherType not handled") \
	X(ARP_TRUNCATED,       "ARP packet shorter than 28 bytes") \
	X(ARP_BAD_FORMAT,      "ARP hardware/protocol type or address lengths not Ethernet/IPv4") \
	X(ARP_BAD_OP,          "ARP opcode neither request nor reply") \
	X(ARP_BAD_SENDER,      "ARP sender address is broadcast, multicast, zero or ours") \
	X(ARP_NOT_FOR_US,      "ARP for another host") \
	X(ARP_QUEUE_FULL,      "queue of packets awaiting ARP resolution is full") \
	X(ARP_UNRESOLVED,      "next hop did not answer ARP") \
	X(ARP_CACHE_FULL,      "ARP cache full of unresolved or static entries") \
	X(IPV4_TRUNCATED,      "IPv4 header or payload cut short") \
	X(IPV4_BAD_VERSION,    "IP version is not 4") \
	X(IPV4_BAD_IHL,        "IPv4 header length below 20 bytes") \
	X(IPV4_BAD_LENGTH,     "IPv4 total length smaller than the header") \
	X(IPV4_BAD_CHECKSUM,   "IPv4 header checksum wrong") \
	X(IPV4_BAD_OPTION,     "IPv4 options malformed") \
	X(IPV4_TTL_ZERO,       "IPv4 TTL is zero") \
	X(IPV4_BAD_SRC,        "IPv4 source is martian (multicast, broadcast, loopback or ours)") \
	X(IPV4_NOT_FOR_US,     "IPv4 destination is not one of our addresses") \
	X(IPV4_UNKNOWN_PROTO,  "IPv4 protocol not handled") \
	X(IPV4_FRAG_BAD,       "IPv4 fragment with bad offset or length") \
	X(IPV4_FRAG_DROPPED,   "IPv4 fragment dropped by reassembly (table full, timeout, overlap)") \
	X(IPV4_NO_ROUTE,       "no route to the destination") \
	X(IPV4_FRAG_NEEDED,    "datagram exceeds MTU and has DF set") \
	X(IPV4_FRAG_FAILED,    "could not fragment a datagram for output") \
	X(ICMP_TRUNCATED,      "ICMP message shorter than 8 bytes") \
	X(ICMP_BAD_CHECKSUM,   "ICMP checksum wrong") \
	X(ICMP_TYPE_IGNORED,   "ICMP type or code not handled") \
	X(ICMP_NOT_UNICAST,    "ICMP echo to a broadcast address ignored") \
	X(ICMP_RATELIMIT,      "ICMP error suppressed by the rate limit") \
	X(UDP_TRUNCATED,       "UDP header cut short") \
	X(UDP_BAD_LENGTH,      "UDP length field disagrees with the IP payload") \
	X(UDP_BAD_CHECKSUM,    "UDP checksum wrong") \
	X(UDP_NO_SOCKET,       "no UDP socket bound to the destination port") \
	X(TCP_TRUNCATED,       "TCP header cut short") \
	X(TCP_BAD_OFFSET,      "TCP data offset below 5 or beyond the segment") \
	X(TCP_BAD_OPTION,      "TCP options malformed") \
	X(TCP_BAD_CHECKSUM,    "TCP checksum wrong") \
	X(TCP_NOT_UNICAST,     "TCP segment to a broadcast address") \
	X(TCP_NO_SOCKET,       "no connection or listener for the segment (RST sent unless it was one)") \
	X(TCP_NO_CONN,         "TCP connection pool exhausted") \
	X(TCP_LISTEN_OVERFLOW, "listener backlog full, SYN dropped") \
	X(TCP_LISTEN_BAD,      "segment to a listener that is not a lone SYN or a valid cookie ACK") \
	X(TCP_INSPECT_FULL,    "SYN to a conditional-accept listener whose backlog is full (no SYN cookie: it would bypass inspection)") \
	X(TCP_INSPECT_PENDING, "segment for a connection request awaiting its inspect verdict (the SYN again, or anything but its RST)") \
	X(TCP_SYN_SENT_BAD,    "segment in SYN-SENT that is not an acceptable SYN-ACK or RST") \
	X(TCP_SYN_FIN,         "SYN carrying FIN to a listener or in SYN-SENT (tcp_drop_synfin)") \
	X(TCP_OUT_OF_WINDOW,   "segment not acceptable (RFC 9293 3.10.7.4): ACK sent") \
	X(TCP_RST_OUT_OF_WINDOW, "RST outside the window, or in window but not at RCV.NXT (challenge ACK)") \
	X(TCP_SYN_IN_WINDOW,   "SYN on a synchronized connection (RFC 5961 challenge ACK)") \
	X(TCP_TW_RST,          "RST in TIME-WAIT ignored (RFC 1337)") \
	X(TCP_NO_ACK,          "segment without ACK on a synchronized connection") \
	X(TCP_ACK_TOO_NEW,     "ACK for data not yet sent: ACK sent") \
	X(TCP_BAD_ACK,         "unacceptable ACK in SYN-RECEIVED: RST sent") \
	X(TCP_DATA_AFTER_FIN,  "data beyond the peer's FIN or after our receive side closed") \
	X(TCP_REASS_FULL,      "out-of-order segment dropped: reassembly queue full") \
	X(TCP_MEM_PRESSURE,    "TCP data dropped: the packet pool is nearly exhausted (ACKs still processed)") \
	X(TCP_REDIRECT_FULL,   "segment for another instance's connection: its request ring is full") \
	X(TCP_PAWS,            "segment with an old timestamp (PAWS, RFC 7323 5): ACK sent") \
	X(NO_MBUF,             "mbuf pool exhausted") \
	X(TX_FULL,             "port TX queue full") \
	X(STOPPING,            "instance stopping")

/** X(NAME, "what is counted") */
#define STK_COUNTERS(X) \
	X(RX_FRAMES,       "frames received") \
	X(RX_BYTES,        "bytes received") \
	X(TX_FRAMES,       "frames sent") \
	X(TX_BYTES,        "bytes sent") \
	X(ARP_RX,          "ARP packets received") \
	X(ARP_REQUEST_TX,  "ARP requests sent") \
	X(ARP_REPLY_TX,    "ARP replies sent") \
	X(ARP_GRATUITOUS_TX, "gratuitous ARPs sent") \
	X(ARP_LEARNED,     "ARP cache entries learned or refreshed") \
	X(ARP_EXPIRED,     "ARP cache entries aged out") \
	X(IPV4_RX,         "IPv4 datagrams received") \
	X(IPV4_TX,         "IPv4 datagrams sent (before fragmentation)") \
	X(IPV4_FRAGS_RX,   "IPv4 fragments received") \
	X(IPV4_REASSEMBLED, "IPv4 datagrams reassembled") \
	X(IPV4_FRAGS_TX,   "IPv4 fragments sent") \
	X(ICMP_RX,         "ICMP messages received") \
	X(ICMP_ECHO_REPLY_TX, "ICMP echo replies sent") \
	X(ICMP_UNREACH_TX, "ICMP destination unreachable sent") \
	X(ICMP_ERRORS_TAKEN, "ICMP errors a TCP connection acted on (RFC 1122 4.2.3.9, RFC 1191)") \
	X(UDP_RX,          "UDP datagrams delivered") \
	X(UDP_TX,          "UDP datagrams sent") \
	X(REQUESTS,        "requests run from the request ring") \
	X(TCP_RX,          "TCP segments received") \
	X(TCP_TX,          "TCP segments sent") \
	X(TCP_RETRANSMITS, "TCP segments retransmitted") \
	X(TCP_RST_TX,      "TCP resets sent") \
	X(TCP_RST_RX,      "TCP resets accepted (connection reset or refused)") \
	X(TCP_PASSIVE_OPENS, "TCP connections accepted (SYN received)") \
	X(TCP_ACTIVE_OPENS, "TCP connections opened (SYN sent)") \
	X(TCP_ESTABLISHED, "TCP connections that reached ESTABLISHED") \
	X(TCP_TIMEOUTS,    "TCP connections dropped by retransmission or keepalive timeout") \
	X(TCP_OOO,         "TCP segments queued out of order") \
	X(TCP_REDIRECTED,  "TCP segments passed to the instance owning their connection") \
	X(TCP_CHALLENGE_ACKS, "RFC 5961 challenge ACKs sent") \
	X(TCP_CHALLENGE_LIMITED, "RFC 5961 challenge ACKs suppressed by the rate limit") \
	X(TCP_TW_REUSED,   "TIME-WAIT connections replaced by a new SYN (RFC 6191)") \
	X(TCP_SYNCOOKIES_SENT, "SYN-ACKs sent with a SYN cookie (SYN queue full)") \
	X(TCP_SYNCOOKIES_OK, "connections opened by a valid SYN cookie") \
	X(TCP_INSPECTS,    "SYNs offered to a conditional-accept listener's inspect upcall") \
	X(TCP_INSPECT_REFUSED, "inspected connection requests refused (reject verdict or completion): RST sent") \
	X(TCP_INSPECT_EXPIRED, "pended connection requests expired without a verdict: RST sent, abort upcall") \
	X(POLLS,           "poll loop iterations")

#define STK_X_ENUM_DROP(n, s) STK_DROP_##n,
#define STK_X_ENUM_CNT(n, s) STK_CNT_##n,

/** Why a frame was dropped. STK_DROP_NONE (0) means "not dropped". */
enum stk_drop {
	STK_DROP_REASONS(STK_X_ENUM_DROP)
	STK_DROP__MAX
};

/** Event counters. */
enum stk_cnt {
	STK_COUNTERS(STK_X_ENUM_CNT)
	STK_CNT__MAX
};

/** Per-lcore statistics, written only by the owning lcore. */
struct stk_stats {
	uint64_t drop[STK_DROP__MAX]; /**< frames dropped, by reason */
	uint64_t cnt[STK_CNT__MAX];   /**< event counters */
};

/** @return the lower-case name of a drop reason ("ipv4_bad_checksum"), or NULL if out of range. */
const char *stk_drop_name(enum stk_drop r);
/** @return the one-line description of a drop reason, or NULL if out of range. */
const char *stk_drop_desc(enum stk_drop r);
/** @return the lower-case name of a counter, or NULL if out of range. */
const char *stk_cnt_name(enum stk_cnt c);

#endif /* STK_DROP_H */
