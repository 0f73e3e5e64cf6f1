// Shapes of the backend's runtime contract (DESIGN.md, "Runtime contract").

export interface User {
  id: number | string;
  email: string;
  name?: string | null;
}

export interface AuthResponse {
  access_token: string;
  token_type: string;
  user: User;
}

export interface Task {
  id: number;
  user_id?: number | string;
  title: string;
  description?: string | null;
  completed: boolean;
  created_at?: string;
  updated_at?: string;
}

export type TaskFilter = 'all' | 'pending' | 'completed';

export interface ToolCall {
  tool: string;
  args?: Record<string, unknown> | null;
  result?: unknown;
}

export interface ChatResponse {
  conversation_id: number | string;
  response: string;
  tool_calls?: ToolCall[];
}

export interface Conversation {
  id: number | string;
  title?: string | null;
  created_at?: string;
  updated_at?: string;
}

export interface ChatMessage {
  id?: number | string;
  role: 'user' | 'assistant' | string;
  content: string;
  created_at?: string;
  tool_calls?: ToolCall[] | null;
}
