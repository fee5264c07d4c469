#!/usr/sbin/dtrace -qs
/*
 * dtrace/nta-events.d: record every ip, tcp and udp probe firing with every argument field,
 * one line per firing, for nta to read back (`nta report --all trace.out`, `nta events`).
 *
 *   dtrace -q -s dtrace/nta-events.d -o trace.out
 *
 * Uses only the stable ip/tcp/udp provider arguments (dtrace-tcp(4), dtrace-ip(4),
 * dtrace-udp(4); FreeBSD 10 and later). The line format ("ntaev1") is documented in nta(1),
 * "DTRACE INPUT": the probe name, timestamp, walltimestamp, then for each argument "[N]"
 * followed by its fields as name=value, in the translators' order. Nothing is escaped: no
 * field printed here can hold a space. nta's `events --format dtrace` writes the same lines.
 * tcps_cookie (FreeBSD 14 only) is left out so the script compiles on 13 too.
 */

#pragma D option quiet
#pragma D option switchrate=10hz
#pragma D option bufsize=32m

dtrace:::BEGIN
{
	printf("ntaev1 begin %d %d\n", timestamp, walltimestamp);
}

ip:::send, ip:::receive, tcp:::send, tcp:::receive, tcp:::connect-request,
tcp:::connect-established, tcp:::connect-refused, tcp:::accept-established,
tcp:::accept-refused, udp:::send, udp:::receive
{
	printf("%s:::%s %d %d [0] pkt_addr=%u [1] cs_addr=%u cs_cid=%u cs_pid=%d cs_zoneid=%d",
	    probeprov, probename, timestamp, walltimestamp, (uint64_t)args[0]->pkt_addr,
	    (uint64_t)args[1]->cs_addr, (uint64_t)args[1]->cs_cid, 0, 0);
	printf(" [2] ip_ver=%u ip_plength=%u ip_saddr=%s ip_daddr=%s",
	    args[2]->ip_ver, args[2]->ip_plength, args[2]->ip_saddr, args[2]->ip_daddr);
}

ip:::send, ip:::receive
{
	printf(" [3] if_name=%s if_local=%d if_addr=%u",
	    args[3]->if_name, args[3]->if_local, (uint64_t)args[3]->if_addr);
	printf(" [4] ipv4_ver=%u ipv4_ihl=%u ipv4_tos=%u ipv4_length=%u ipv4_ident=%u",
	    args[4]->ipv4_ver, args[4]->ipv4_ihl, args[4]->ipv4_tos, args[4]->ipv4_length,
	    args[4]->ipv4_ident);
	printf(" ipv4_flags=%u ipv4_offset=%u ipv4_ttl=%u ipv4_protocol=%u ipv4_protostr=%s",
	    args[4]->ipv4_flags, args[4]->ipv4_offset, args[4]->ipv4_ttl, args[4]->ipv4_protocol,
	    args[4]->ipv4_protostr);
	printf(" ipv4_checksum=%u ipv4_saddr=%s ipv4_daddr=%s",
	    args[4]->ipv4_checksum, args[4]->ipv4_saddr, args[4]->ipv4_daddr);
	printf(" [5] ipv6_ver=%u ipv6_tclass=%u ipv6_flow=%u ipv6_plen=%u ipv6_nexthdr=%u",
	    args[5]->ipv6_ver, args[5]->ipv6_tclass, args[5]->ipv6_flow, args[5]->ipv6_plen,
	    args[5]->ipv6_nexthdr);
	printf(" ipv6_nextstr=%s ipv6_hlim=%u ipv6_saddr=%s ipv6_daddr=%s\n",
	    args[5]->ipv6_nextstr, args[5]->ipv6_hlim, args[5]->ipv6_saddr, args[5]->ipv6_daddr);
}

tcp:::send, tcp:::receive, tcp:::connect-request, tcp:::connect-established,
tcp:::connect-refused, tcp:::accept-established, tcp:::accept-refused
{
	printf(" [3] tcps_addr=%u tcps_local=%d tcps_active=%d tcps_lport=%u tcps_rport=%u",
	    (uint64_t)args[3]->tcps_addr, args[3]->tcps_local, args[3]->tcps_active,
	    args[3]->tcps_lport, args[3]->tcps_rport);
	printf(" tcps_laddr=%s tcps_raddr=%s tcps_state=%d",
	    args[3]->tcps_laddr, args[3]->tcps_raddr, args[3]->tcps_state);
}

tcp:::state-change
{
	printf("%s:::%s %d %d [1] cs_addr=%u cs_cid=%u cs_pid=%d cs_zoneid=%d",
	    probeprov, probename, timestamp, walltimestamp,
	    (uint64_t)args[1]->cs_addr, (uint64_t)args[1]->cs_cid, 0, 0);
	printf(" [3] tcps_addr=%u tcps_local=%d tcps_active=%d tcps_lport=%u tcps_rport=%u",
	    (uint64_t)args[3]->tcps_addr, args[3]->tcps_local, args[3]->tcps_active,
	    args[3]->tcps_lport, args[3]->tcps_rport);
	printf(" tcps_laddr=%s tcps_raddr=%s tcps_state=%d",
	    args[3]->tcps_laddr, args[3]->tcps_raddr, args[3]->tcps_state);
}

tcp:::send, tcp:::receive, tcp:::connect-request, tcp:::connect-established,
tcp:::connect-refused, tcp:::accept-established, tcp:::accept-refused, tcp:::state-change
{
	printf(" tcps_iss=%u tcps_irs=%u tcps_suna=%u tcps_smax=%u tcps_snxt=%u tcps_rack=%u",
	    args[3]->tcps_iss, args[3]->tcps_irs, args[3]->tcps_suna, args[3]->tcps_smax,
	    args[3]->tcps_snxt, args[3]->tcps_rack);
	printf(" tcps_rnxt=%u tcps_swnd=%u tcps_snd_ws=%d tcps_swl1=%u tcps_swl2=%u",
	    args[3]->tcps_rnxt, (uint32_t)args[3]->tcps_swnd, args[3]->tcps_snd_ws,
	    args[3]->tcps_swl1, args[3]->tcps_swl2);
	printf(" tcps_rup=%u tcps_radv=%u tcps_rwnd=%u tcps_rcv_ws=%d tcps_cwnd=%u",
	    args[3]->tcps_rup, args[3]->tcps_radv, (uint32_t)args[3]->tcps_rwnd,
	    args[3]->tcps_rcv_ws, (uint32_t)args[3]->tcps_cwnd);
	printf(" tcps_cwnd_ssthresh=%u tcps_srecover=%u tcps_sack_fack=%u tcps_sack_snxt=%u",
	    (uint32_t)args[3]->tcps_cwnd_ssthresh, args[3]->tcps_srecover,
	    args[3]->tcps_sack_fack, args[3]->tcps_sack_snxt);
	printf(" tcps_rto=%u tcps_mss=%u tcps_retransmit=%d tcps_srtt=%d tcps_debug=%d",
	    args[3]->tcps_rto, args[3]->tcps_mss, args[3]->tcps_retransmit, args[3]->tcps_srtt,
	    args[3]->tcps_debug);
	printf(" tcps_dupacks=%d tcps_rtttime=%u tcps_rtseq=%u tcps_ts_recent=%u",
	    args[3]->tcps_dupacks, args[3]->tcps_rtttime, args[3]->tcps_rtseq,
	    args[3]->tcps_ts_recent);
}

tcp:::send, tcp:::receive, tcp:::connect-request, tcp:::connect-established,
tcp:::connect-refused, tcp:::accept-established, tcp:::accept-refused
{
	printf(" [4] tcp_sport=%u tcp_dport=%u tcp_seq=%u tcp_ack=%u tcp_offset=%u",
	    args[4]->tcp_sport, args[4]->tcp_dport, args[4]->tcp_seq, args[4]->tcp_ack,
	    args[4]->tcp_offset);
	printf(" tcp_flags=%u tcp_window=%u tcp_checksum=%u tcp_urgent=%u\n",
	    args[4]->tcp_flags, args[4]->tcp_window, args[4]->tcp_checksum, args[4]->tcp_urgent);
}

tcp:::state-change
{
	printf(" [5] tcps_state=%d\n", args[5]->tcps_state);
}

udp:::send, udp:::receive
{
	printf(" [3] udps_addr=%u udps_lport=%u udps_rport=%u udps_laddr=%s udps_raddr=%s",
	    (uint64_t)args[3]->udps_addr, args[3]->udps_lport, args[3]->udps_rport,
	    args[3]->udps_laddr, args[3]->udps_raddr);
	printf(" [4] udp_sport=%u udp_dport=%u udp_length=%u udp_checksum=%u\n",
	    args[4]->udp_sport, args[4]->udp_dport, args[4]->udp_length, args[4]->udp_checksum);
}
