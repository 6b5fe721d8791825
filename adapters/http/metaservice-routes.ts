/**
 * The metaservices over HTTP (after X-Road's REST metaservices): `GET /listClients`,
 * `GET /r1/<system>/listMethods`, `GET /r1/<system>/allowedMethods` (for the `X-Road-Client`,
 * with its bearer token: what a system may call is its own business),
 * `GET /r1/<system>/getContract?serviceCode=…&version=…`.
 */
import { Router } from 'express';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import { GatewayError } from '../../gateway/protocol/errors.ts';
import { allowedMethods, getContract, listClients, listMethods } from '../meta/methods.ts';
import { clientHeader, systemFromParams, tokenOwner } from './request-line.ts';

const SYSTEM_PATH = '/r1/VN/:cls/:member/:subsystem';

function queryText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function metaserviceRoutes(catalog: Catalog, systemOf?: (token: string) => string | undefined): Router {
  const router = Router();

  router.get('/listClients', (req, res) => {
    res.json({ clients: listClients(catalog, { class: queryText(req.query.class), member: queryText(req.query.member) }) });
  });

  router.get(`${SYSTEM_PATH}/listMethods`, (req, res) => {
    const system = systemFromParams(req.params);
    const services = listMethods(catalog, system);
    if (!services) throw new GatewayError('client.unknown_service', `No system ${system} in the catalog.`);
    res.json({ services });
  });

  router.get(`${SYSTEM_PATH}/allowedMethods`, (req, res) => {
    const system = systemFromParams(req.params);
    if (!catalog.systems.has(system)) throw new GatewayError('client.unknown_service', `No system ${system} in the catalog.`);
    const client = clientHeader(req);
    if (!tokenOwner(req, client, systemOf)) {
      throw new GatewayError('client.unknown_key', `What ${client} may call is its own: send its "Authorization: Bearer <token>" (lgsp keys token <system>, or POST /token).`);
    }
    res.json({ services: allowedMethods(catalog, client, system) });
  });

  router.get(`${SYSTEM_PATH}/getContract`, (req, res) => {
    const service = `${systemFromParams(req.params)}/${queryText(req.query.serviceCode) ?? ''}/${queryText(req.query.version) ?? 'v1'}`;
    const contract = getContract(catalog, service);
    if (!contract) throw new GatewayError('client.unknown_service', `No service ${service} in the catalog.`);
    res.json(contract);
  });

  return router;
}
