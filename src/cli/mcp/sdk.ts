/**
 * The MCP SDK and zod, in one module that only `agent-vault mcp` loads (dynamically).
 * They cost about 270 ms to load, so scripts/bundle.mjs puts this module and what it
 * imports in dist/mcp-sdk.cjs, apart from the CLI bundle, and `credential get` never
 * reads them.
 */
export { McpServer } from '@modelcontextprotocol/server';
export { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
export { z } from 'zod';
