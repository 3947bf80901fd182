import { ReasonDialog } from '../ReasonDialog.tsx';

interface MessageDialogProps {
  /** Whose message it is, by display name. */
  sender: string;
  onSubmit: (reason: string) => Promise<void>;
  onClose: () => void;
}

/** Report someone else's message to the moderators, saying why. */
export function ReportDialog(props: MessageDialogProps) {
  return (
    <ReasonDialog
      title="Report this message"
      confirmLabel="Report"
      pendingLabel="Reporting…"
      reasonHint="The moderators see the message, your reason, and that you sent the report."
      onSubmit={({ reason }) => props.onSubmit(reason)}
      onClose={props.onClose}
    >
      <p>What is wrong with {props.sender}’s message?</p>
    </ReasonDialog>
  );
}

/** An admin removes a message for everyone; the reason and the words go to the audit log. */
export function ModerateDialog(props: MessageDialogProps) {
  return (
    <ReasonDialog
      title="Delete as moderator"
      confirmLabel="Delete message"
      pendingLabel="Deleting…"
      danger
      reasonHint="Kept in the audit log, with the message’s words."
      onSubmit={({ reason }) => props.onSubmit(reason)}
      onClose={props.onClose}
    >
      <p>{props.sender}’s message will be removed for everyone, replaced by “removed by a moderator”.</p>
    </ReasonDialog>
  );
}
