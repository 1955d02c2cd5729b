// Helia interop for tests/ipfs/test_helia.py (run with Node >= 22 from the helia cache directory).
//   node helia_interop.mjs cid FILE              -> prints the CID Helia's importer gives FILE
//   node helia_interop.mjs fetch URL CID OUT     -> fetches CID from the gateway at URL only, writes OUT
// Routing is restricted to the one gateway given: no delegated routers, no public gateways, no libp2p.
import { createHeliaLight } from 'helia'
import { trustlessGateway } from '@helia/block-brokers'
import { httpGatewayRouting } from '@helia/routers'
import { unixfs } from '@helia/unixfs'
import { CID } from 'multiformats/cid'
import { readFileSync, writeFileSync } from 'node:fs'

const [, , mode, ...args] = process.argv
if (mode === 'cid') {
  const helia = await createHeliaLight()
  const cid = await unixfs(helia).addBytes(readFileSync(args[0]))
  console.log(cid.toString())
  await helia.stop()
} else if (mode === 'fetch') {
  const [url, cid, out] = args
  const helia = await createHeliaLight({
    blockBrokers: [trustlessGateway({ allowInsecure: true, allowLocal: true })],
    routers: [httpGatewayRouting({ gateways: [url] })]
  })
  await helia.start()
  const chunks = []
  for await (const chunk of unixfs(helia).cat(CID.parse(cid), { signal: AbortSignal.timeout(60_000) })) {
    chunks.push(chunk)
  }
  writeFileSync(out, Buffer.concat(chunks))
  await helia.stop()
} else {
  console.error('usage: helia_interop.mjs cid FILE | fetch URL CID OUT')
  process.exit(2)
}
