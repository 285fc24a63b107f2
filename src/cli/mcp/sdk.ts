/**
 * The MCP chunk: the SDK, zod and the tool definitions, in one module that only
 * `agent-vault mcp` loads (dynamically). The SDK costs about 270 ms to load, so
 * scripts/bundle.mjs puts this module and what it imports in dist/mcp-sdk.cjs, apart
 * from the CLI bundle, and `credential get` never reads a byte of it. The tools import
 * only types from app/ and core/: the functions they call are handed in (`McpApp`).
 */
export { McpServer } from '@modelcontextprotocol/server';
export { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
export { z } from 'zod';
export { registerTools } from './tools.js';
