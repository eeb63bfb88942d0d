import kafkajs from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';

const { AssignerProtocol } = kafkajs;
const { MemberMetadata, MemberAssignment } = AssignerProtocol;

/** What a member says when it joins: it held the partition in the last generation. */
const HELD = Buffer.from('held');

/**
 * The assignor of a leadership group (one topic, one partition): the partition stays with the
 * member that held it in the last generation when that member is still in the group, so a host
 * joining does not take the lead from the current leader; with no such member (the first join,
 * the leader gone), it goes to the first member by id. Kafka's group coordinator still decides who
 * the members are and runs the rebalance; this only says which of them gets partition 0.
 */
export function stickyLeaderAssigner(topic: string, heldLastGeneration: () => boolean): PartitionAssigner {
  return () => ({
    name: 'SluiceStickyLeader',
    version: 1,
    protocol: ({ topics }) => ({
      name: 'SluiceStickyLeader',
      metadata: MemberMetadata.encode({ version: 1, topics, userData: heldLastGeneration() ? HELD : Buffer.alloc(0) }),
    }),
    assign: async ({ members }) => {
      const ids = members.map((member) => member.memberId).sort();
      const holders = members.filter((member) => HELD.equals(MemberMetadata.decode(member.memberMetadata)?.userData ?? Buffer.alloc(0))).map((member) => member.memberId);
      const leader = holders.sort()[0] ?? ids[0];
      return members.map((member) => ({
        memberId: member.memberId,
        memberAssignment: MemberAssignment.encode({ version: 1, assignment: member.memberId === leader ? { [topic]: [0] } : {}, userData: Buffer.alloc(0) }),
      }));
    },
  });
}
