/* truth: inlines are typed constants or expressions (d-language.md 1.1); the prelude gives
 * FreeBSD's tcp.d/ip.d names (dtrace-providers.md section 3): TCPS_ESTABLISHED 4, TH_ACK 0x10
 * as a uint8_t, IPPROTO_UDP 17, tcp_state_string[] with "<unknown>" outside 0..10,
 * protocols[17] "UDP", tcpflag_string[] naming the first flag set in FIN, SYN, ... order,
 * and prureq_string[PRU_FLUSH] spelled "FLUSE" as FreeBSD's tcp.d spells it. */
#pragma D option quiet
inline int ANSWER = 40 + 2;
inline string GREETING = "hi";
inline int twice[int x] = x * 2;
BEGIN
{
	printf("%d %s %d\n", ANSWER, GREETING, twice[ANSWER]);
	printf("%d %d %d %d\n", TCPS_ESTABLISHED, TH_ACK, IPPROTO_UDP, sizeof(TH_ACK));
	printf("%s %s %s\n", tcp_state_string[TCPS_TIME_WAIT], tcp_state_string[-1], protocols[17]);
	printf("%s %s\n", tcpflag_string[TH_SYN | TH_ACK], prureq_string[PRU_FLUSH]);
	exit(0);
}
