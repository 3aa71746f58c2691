import { startTestApp, V201_SCRIPT, WebClient, type TestApp, testActor } from '../testing';

/**
 * CONTRACT: secret values (1.6 AuthorizationKey, 2.0.1 SecurityCtrlr.BasicAuthPassword, any key or
 * variable named like a password, key or secret) are `***` in every log, message log, API answer
 * and audit entry, whether staff set them or a charger reports them.
 */
const SECRET_16 = '6368617267657961726473656372657431323334';
const SECRET_201 = 'basic-auth-in-clear-42';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

/** Everything a viewer of the appliance could read about a charger, as one text. */
async function everythingReadable(chargerId: string): Promise<string> {
  await t.app.services.messageLog.flush();
  const messages = await t.api('GET', `/chargers/${encodeURIComponent(chargerId)}/messages?limit=500`);
  const audit = t.app.services.staff.audit.list({}, 500);
  const variables = JSON.stringify(await t.app.services.commands.readConfiguration(chargerId, 5000).catch(() => []));
  return JSON.stringify(messages.body) + JSON.stringify(audit) + variables;
}

test('1.6: AuthorizationKey set through the API and reported by GetConfiguration is *** in the message log and the API answers', async () => {
  const charger = await t.acceptedCharger('SEC-16');
  charger.handle('GetConfiguration', () => ({
    configurationKey: [
      { key: 'AuthorizationKey', readonly: false, value: SECRET_16 },
      { key: 'HeartbeatInterval', readonly: false, value: '300' },
    ],
  }));
  const changed = await t.api('POST', '/chargers/SEC-16/commands/ChangeConfiguration', { key: 'AuthorizationKey', value: SECRET_16 });
  expect(changed.status).toBe(200);
  expect((await charger.waitForCall('ChangeConfiguration')).payload).toEqual({ key: 'AuthorizationKey', value: SECRET_16 });
  const read = await t.api('POST', '/chargers/SEC-16/commands/GetConfiguration', {});
  expect(read.body.response.configurationKey).toEqual([
    { key: 'AuthorizationKey', readonly: false, value: '***' },
    { key: 'HeartbeatInterval', readonly: false, value: '300' },
  ]);
  const readable = await everythingReadable('SEC-16');
  expect(readable).not.toContain(SECRET_16);
  expect(readable).toContain('\\"key\\":\\"AuthorizationKey\\",\\"value\\":\\"***\\"');
});

test('1.6: a ChangeConfiguration from the charger page keeps the key out of the audit log, the page and the reply shown', async () => {
  const charger = await t.acceptedCharger('SEC-UI');
  await t.app.services.staff.users.create({ userName: 'boss', role: 'admin', password: 'correct horse battery' }, testActor('test'));
  const admin = new WebClient(t.baseUrl);
  await admin.submit('/login', '/login', { userName: 'boss', password: 'correct horse battery' });
  await admin.get('/chargers/SEC-UI');
  const sent = await admin.post('/chargers/SEC-UI/commands/change-configuration', { key: 'AuthorizationKey', value: SECRET_16 }, { headers: { 'HX-Request': 'true' } });
  expect(sent.status).toBe(200);
  expect((await charger.waitForCall('ChangeConfiguration')).payload.value).toBe(SECRET_16);
  expect(sent.text).not.toContain(SECRET_16);
  expect(await everythingReadable('SEC-UI')).not.toContain(SECRET_16);
  expect((await admin.get('/chargers/SEC-UI')).text).not.toContain(SECRET_16);
  expect((await admin.get('/audit')).text).not.toContain(SECRET_16);
});

test('2.0.1: BasicAuthPassword reported in a NotifyReport or set with SetVariables is *** in the message log, the device model and the API', async () => {
  const charger = await t.acceptedCharger('SEC-201', { protocols: V201_SCRIPT.protocols });
  await charger.call('NotifyReport', {
    requestId: 1,
    generatedAt: new Date().toISOString(),
    seqNo: 0,
    reportData: [
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, variableAttribute: [{ value: SECRET_201, mutability: 'WriteOnly' }] },
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ value: '300', mutability: 'ReadWrite' }] },
    ],
  });
  const set = await t.api('POST', '/chargers/SEC-201/commands/SetVariables', {
    setVariableData: [{ attributeValue: `${SECRET_201}-new`, component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }],
  });
  expect(set.status).toBe(200);
  expect(await t.app.services.commands.readConfiguration('SEC-201', 5000)).toEqual(
    expect.arrayContaining([
      { key: 'SecurityCtrlr/BasicAuthPassword', value: '***', readonly: false },
      { key: 'OCPPCommCtrlr/HeartbeatInterval', value: '300', readonly: false },
    ]),
  );
  const readable = await everythingReadable('SEC-201');
  expect(readable).not.toContain(SECRET_201);
  expect(readable).toContain('***');
});
