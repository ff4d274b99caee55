// Usage: node probe.mjs <protos-dir> host:port [host:port …]
// For each address: grpc.health.v1.Health/Check must answer SERVING, and server reflection must list the services.
// A non-Java client on purpose: it proves the contracts are usable outside the JVM.
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import path from 'node:path';

const [protos, ...addresses] = process.argv.slice(2);
const load = (file) => grpc.loadPackageDefinition(protoLoader.loadSync(path.join(protos, file),
  { keepCase: true, defaults: true, enums: String, includeDirs: [protos] }));
const health = load('grpc/health/v1/health.proto').grpc.health.v1;
const reflection = load('grpc/reflection/v1alpha/reflection.proto').grpc.reflection.v1alpha;

const deadline = () => new Date(Date.now() + 5000);

function check(address) {
  const client = new health.Health(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => client.Check({ service: '' }, { deadline: deadline() }, (err, res) => {
    client.close();
    if (err) reject(new Error(`${address} health: ${err.message}`));
    else if (res.status !== 'SERVING') reject(new Error(`${address} health: ${res.status}`));
    else resolve(res.status);
  }));
}

function listServices(address) {
  const client = new reflection.ServerReflection(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo({ deadline: deadline() });
    call.on('data', (res) => {
      resolve(res.list_services_response.service.map((s) => s.name));
      call.end();
    });
    call.on('error', (err) => reject(new Error(`${address} reflection: ${err.message}`)));
    call.on('end', () => client.close());
    call.write({ list_services: '*' });
  });
}

let failed = false;
for (const address of addresses) {
  try {
    const status = await check(address);
    const services = await listServices(address);
    const own = services.filter((name) => name.startsWith('pinhole.'));
    if (own.length === 0) throw new Error(`${address} reflection lists no pinhole.* service: ${services}`);
    console.log(`${address} ${status} ${services.join(' ')}`);
  } catch (e) {
    console.error(String(e.message));
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
