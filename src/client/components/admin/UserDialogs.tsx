import type { AdminUser } from '../../lib/admin.ts';
import { trpc } from '../../lib/trpc.ts';
import { localDateTime, ReasonDialog } from '../ReasonDialog.tsx';

const day = 24 * 60 * 60 * 1000;

interface UserDialogProps {
  user: AdminUser;
  /** Told what changed, once the server agreed. */
  onDone: (change: Partial<AdminUser>) => void;
  onClose: () => void;
}

/** Ban someone: a reason, and an end (none means for good). */
export function BanDialog(props: UserDialogProps) {
  return (
    <ReasonDialog
      title={`Ban ${props.user.displayName}`}
      confirmLabel="Ban"
      pendingLabel="Banning…"
      danger
      until="optional"
      untilHint="Leave empty to ban for good. In your time zone."
      reasonHint="They read it when they try to log in."
      onSubmit={async ({ reason, until }) => {
        const result = await trpc.admin.users.ban.mutate({ userId: props.user.id, reason, until });
        props.onDone({ status: 'banned', bannedUntil: result.until, banReason: reason });
      }}
      onClose={props.onClose}
    >
      <p>{props.user.displayName} is signed out everywhere at once, and cannot log in until the ban ends.</p>
    </ReasonDialog>
  );
}

/** Mute someone: a reason and an end, a day from now unless changed. */
export function MuteDialog(props: UserDialogProps) {
  return (
    <ReasonDialog
      title={`Mute ${props.user.displayName}`}
      confirmLabel="Mute"
      pendingLabel="Muting…"
      until="required"
      untilValue={localDateTime(day)}
      untilHint="In your time zone."
      onSubmit={async ({ reason, until }) => {
        const result = await trpc.admin.users.mute.mutate({
          userId: props.user.id,
          reason,
          until: until ?? '',
        });
        props.onDone({
          status: props.user.status === 'banned' ? 'banned' : 'muted',
          mutedUntil: result.until,
          muteReason: reason,
        });
      }}
      onClose={props.onClose}
    >
      <p>{props.user.displayName} can still read along, but cannot send messages until then.</p>
    </ReasonDialog>
  );
}
