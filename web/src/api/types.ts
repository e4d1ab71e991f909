/**
 * The resources as the UI reads them. The API answers Kubernetes objects whose schemas the
 * OpenAPI document leaves open (`kubeObject`), so these name the fields the pages use.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface Resources {
  requests?: { cpu?: string | number; memory?: string };
  limits?: { cpu?: string | number; memory?: string };
}

export interface Session {
  metadata: ObjectMeta;
  spec: { user: string; template: string; state?: 'running' | 'hibernated' | 'terminated'; resources?: Resources; idleTimeout?: string; maxSessionDuration?: string };
  status?: {
    phase?: 'Pending' | 'Running' | 'Hibernated' | 'Failed' | 'Terminated';
    podName?: string;
    url?: string;
    lastActivity?: string;
    startedAt?: string;
    hibernatedAt?: string;
    conditions?: Condition[];
    reason?: string;
    message?: string;
  };
}

export interface Template {
  metadata: ObjectMeta;
  spec: {
    displayName?: string;
    description?: string;
    category?: string;
    icon?: string;
    tags?: string[];
    baseImage?: string;
    defaultResources?: Resources;
    vnc?: { enabled?: boolean; port?: number };
    webapp?: { enabled?: boolean; port?: number };
  };
  status?: { valid?: boolean; conditions?: Condition[]; message?: string };
}

export interface QuotaUsage {
  sessions: number;
  runningSessions: number;
  cpu: string;
  memory: string;
}

export interface SessionQuotaSpec {
  users?: string[];
  groups?: string[];
  default?: boolean;
  limits?: {
    maxSessions?: number;
    maxRunningSessions?: number;
    maxCPUPerSession?: string | number;
    maxMemoryPerSession?: string;
    maxTotalCPU?: string | number;
    maxTotalMemory?: string;
  };
}

export interface SessionQuota {
  metadata: ObjectMeta;
  spec: SessionQuotaSpec;
}

export interface MyQuota {
  quota: SessionQuota | null;
  matchedBy?: string;
  usage: QuotaUsage;
}

export interface KubeNode {
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[] };
  status?: { conditions?: Condition[]; capacity?: Record<string, string> };
}

export interface NodeOperation {
  metadata: ObjectMeta;
  spec: { nodeName: string; operation: string; parameters?: Record<string, unknown> };
  status?: { phase?: string; message?: string; startTime?: string; completionTime?: string };
}

export interface Me {
  username: string;
  role: string;
  email?: string;
  groups?: string[];
  method?: string;
}
