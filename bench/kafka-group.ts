import kafkajs, { type Admin } from 'kafkajs';

/** Which member client owns which partition of a topic, per the group coordinator, and the group's state. */
export interface GroupOwners {
  readonly state: string;
  /** partition → client id of the member it is assigned to; partitions missing here are assigned to nobody. */
  readonly owners: ReadonlyMap<number, string>;
}

/**
 * Reads consumer groups through Kafka's admin API, independently of what the instances report about themselves:
 * who owns which partition, and how far the group's committed offsets trail the end of the topic.
 * Constraint: one admin connection for the watcher's life; `close()` ends it.
 */
export class GroupWatcher {
  private constructor(private readonly admin: Admin) {}

  static async connect(brokers: string): Promise<GroupWatcher> {
    const kafka = new kafkajs.Kafka({ clientId: 'stormcell-bench-watch', brokers: [brokers], logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    return new GroupWatcher(admin);
  }

  /** The current assignment of `topic` in `group` (empty while the group rebalances). */
  async owners(group: string, topic: string): Promise<GroupOwners> {
    const { groups } = await this.admin.describeGroups([group]);
    const g = groups[0];
    const owners = new Map<number, string>();
    if (g === undefined) return { state: 'Unknown', owners };
    for (const m of g.members) {
      if (m.memberAssignment.length === 0) continue;
      const decoded = kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      for (const p of decoded?.assignment[topic] ?? []) owners.set(p, m.clientId);
    }
    return { state: g.state, owners };
  }

  /** Sum over partitions of (end offset − the group's committed offset; the whole partition if none committed). */
  async committedLag(group: string, topic: string): Promise<number> {
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId: group, topics: [topic] }),
    ]);
    const at = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    let lag = 0;
    for (const e of ends) {
      const c = at.get(e.partition) ?? -1;
      lag += Math.max(0, Number(e.high) - (c >= 0 ? c : Number(e.low)));
    }
    return lag;
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}
