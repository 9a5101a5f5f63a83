export { type ClusterRedis, connectClusterRedis } from './cluster-redis.js';
export { createLeaderDuties, type Duty, type LeaderDuties, periodicDuty } from './leader-duties.js';
export { createLeaderElector, type LeaderElector, type LeaderElectorOptions } from './leader-elector.js';
export { createLeaderLock, type LeaderLock, type LeaderLockConfig, type LockHolder, leaderLockKeys } from './leader-lock.js';
export { createStandaloneLeadership, type Leadership, type LeadershipChange, type LeadershipListener, type LeadershipStatus, type Role } from './leadership.js';
export { createWakeBus, type WakeBus, type WakeMessage, wakeChannel } from './wake-bus.js';
