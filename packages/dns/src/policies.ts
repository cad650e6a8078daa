import { registerPolicy } from './policy';
import { createGeoPolicy } from './policy-geo';
import { createLatencyPolicy } from './policy-latency';
import { createLeastLoadedPolicy } from './policy-least-loaded';
import { createRoundRobinPolicy } from './policy-round-robin';
import { createWeightedPolicy } from './policy-weighted';

// The built-in policies, registered once on import. A new policy is a new
// policy-<name>.ts file plus one line here.
registerPolicy('geo', createGeoPolicy);
registerPolicy('weighted', createWeightedPolicy);
registerPolicy('least-loaded', createLeastLoadedPolicy);
registerPolicy('latency', createLatencyPolicy);
registerPolicy('round-robin', createRoundRobinPolicy);

export { createPolicy, policyNames, registerPolicy } from './policy';
