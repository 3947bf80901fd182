/** Two soft notes, made on the spot with WebAudio: nothing to download, nothing to cache. */
const notes = [
  { frequency: 880, startsAt: 0 },
  { frequency: 1320, startsAt: 0.12 },
];
const noteSeconds = 0.25;
const volume = 0.15;

/** Returns the function that plays the chime; the page's one audio context is made on the first play. */
export function createChime(): () => void {
  let context: AudioContext | null = null;
  return () => {
    if (typeof AudioContext === 'undefined') return;
    context ??= new AudioContext();
    play(context);
  };
}

function play(audio: AudioContext): void {
  // A page the person has used may play sound; before any gesture the browser keeps it silent, which is fine.
  void audio.resume().catch(() => {});
  const now = audio.currentTime;
  for (const note of notes) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = note.frequency;
    const start = now + note.startsAt;
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(volume, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + noteSeconds);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + noteSeconds);
  }
}
