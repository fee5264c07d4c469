/* a seed for fuzz_dscript: probes, predicates, fields, aggregations */
#pragma D option quiet
tcp:::receive
/args[3]->tcps_state == TCPS_ESTABLISHED && args[2]->ip_plength - args[4]->tcp_offset > 0/
{
	@b[args[3]->tcps_raddr] = sum(args[2]->ip_plength - args[4]->tcp_offset);
	@p[args[3]->tcps_raddr] = count();
	this->x = tcp_state_string[args[3]->tcps_state];
}
tcp:::state-change { last[args[1]->cs_cid] = timestamp; }
END { printa("%-30s %@-12d %@-12d\n", @b, @p); }
