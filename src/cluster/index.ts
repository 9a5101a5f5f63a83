export { createLeaderLock, leaderLockKeys, type LeaderLock, type LeaderLockConfig, type LockHolder } from './leader-lock.js';
export { createLeaderElector, type LeaderElector, type LeaderElectorOptions } from './leader-elector.js';
export { createStandaloneLeadership, type Leadership, type LeadershipChange, type LeadershipListener, type LeadershipStatus, type Role } from './leadership.js';
export { createLeaderDuties, periodicDuty, type Duty, type LeaderDuties } from './leader-duties.js';
export { createWakeBus, wakeChannel, type WakeBus, type WakeMessage } from './wake-bus.js';
export { connectClusterRedis, type ClusterRedis } from './cluster-redis.js';
