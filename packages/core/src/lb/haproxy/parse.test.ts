import { parseServersState, parseShowStat } from './parse';

test('parses `show servers state` (version 1) with op state and admin flags', () => {
  const text = [
    '1',
    '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord',
    '3 app 1 s1 127.0.0.1 2 8 1 1 12 6 3 4 6 0 0 0 - 40001 -',
    '3 app 2 s2 127.0.0.1 0 1 1 1 3 6 3 0 6 0 0 0 - 40002 -',
    '',
  ].join('\n');
  const rows = parseServersState(text);
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatchObject({ backend: 'app', server: 's1', address: '127.0.0.1', port: 40001, opState: 'running', adminFlags: ['drain'] });
  expect(rows[1]).toMatchObject({ server: 's2', opState: 'stopped', adminFlags: ['maint'] });
  expect(parseServersState('No such backend.\n')).toEqual([]);
});

test('parses `show stat` CSV server rows only', () => {
  const text = [
    '# pxname,svname,qcur,qmax,scur,smax,slim,stot,status,type,check_status,',
    'fe,FRONTEND,,,0,1,262120,3,OPEN,0,,',
    'app,s1,0,0,2,3,,10,DRAIN,2,L7OK,',
    'app,s2,0,0,0,1,,4,UP 1/2,2,L7STS,',
    'app,BACKEND,0,0,2,3,,14,UP,1,,',
  ].join('\n');
  const rows = parseShowStat(text);
  expect(rows.map((r) => [r.backend, r.server, r.status, r.currentSessions, r.checkStatus])).toEqual([
    ['app', 's1', 'DRAIN', 2, 'L7OK'],
    ['app', 's2', 'UP 1/2', 0, 'L7STS'],
  ]);
});
