/**
 * Short authentication string rendering (E2EE.md §3): 7 emoji from the 64-entry list Matrix uses
 * (42 bits), or three 4-digit numbers (3 × 13 bits + 1000, 39 bits). Both sides read the same
 * 6 SAS bytes; a server that substituted keys shows different codes on each side.
 */

/** The 64 SAS emoji with English names (index = 6-bit value). */
export const SAS_EMOJI: readonly (readonly [emoji: string, name: string])[] = [
  ['🐶', 'Dog'],
  ['🐱', 'Cat'],
  ['🦁', 'Lion'],
  ['🐎', 'Horse'],
  ['🦄', 'Unicorn'],
  ['🐷', 'Pig'],
  ['🐘', 'Elephant'],
  ['🐰', 'Rabbit'],
  ['🐼', 'Panda'],
  ['🐓', 'Rooster'],
  ['🐧', 'Penguin'],
  ['🐢', 'Turtle'],
  ['🐟', 'Fish'],
  ['🐙', 'Octopus'],
  ['🦋', 'Butterfly'],
  ['🌷', 'Flower'],
  ['🌳', 'Tree'],
  ['🌵', 'Cactus'],
  ['🍄', 'Mushroom'],
  ['🌏', 'Globe'],
  ['🌙', 'Moon'],
  ['☁️', 'Cloud'],
  ['🔥', 'Fire'],
  ['🍌', 'Banana'],
  ['🍎', 'Apple'],
  ['🍓', 'Strawberry'],
  ['🌽', 'Corn'],
  ['🍕', 'Pizza'],
  ['🎂', 'Cake'],
  ['❤️', 'Heart'],
  ['😀', 'Smiley'],
  ['🤖', 'Robot'],
  ['🎩', 'Hat'],
  ['👓', 'Glasses'],
  ['🔧', 'Spanner'],
  ['🎅', 'Santa'],
  ['👍', 'Thumbs Up'],
  ['☂️', 'Umbrella'],
  ['⌛', 'Hourglass'],
  ['⏰', 'Clock'],
  ['🎁', 'Gift'],
  ['💡', 'Light Bulb'],
  ['📕', 'Book'],
  ['✏️', 'Pencil'],
  ['📎', 'Paperclip'],
  ['✂️', 'Scissors'],
  ['🔒', 'Lock'],
  ['🔑', 'Key'],
  ['🔨', 'Hammer'],
  ['☎️', 'Telephone'],
  ['🏁', 'Flag'],
  ['🚂', 'Train'],
  ['🚲', 'Bicycle'],
  ['✈️', 'Aeroplane'],
  ['🚀', 'Rocket'],
  ['🏆', 'Trophy'],
  ['⚽', 'Ball'],
  ['🎸', 'Guitar'],
  ['🎺', 'Trumpet'],
  ['🔔', 'Bell'],
  ['⚓', 'Anchor'],
  ['🎧', 'Headphones'],
  ['📁', 'Folder'],
  ['📌', 'Pin'],
];

function bitsOf(sas: Uint8Array): (start: number, count: number) => number {
  if (sas.length < 6) throw new RangeError('SAS needs 6 bytes');
  const n = sas.subarray(0, 6).reduce((acc, b) => acc * 256n + BigInt(b), 0n);
  return (start, count) => Number((n >> BigInt(48 - start - count)) & ((1n << BigInt(count)) - 1n));
}

/** Seven emoji (and their names) for a 6-byte SAS: the first 42 bits, 6 bits each. */
export function sasEmoji(sas: Uint8Array): { emoji: string; name: string }[] {
  const bits = bitsOf(sas);
  return Array.from({ length: 7 }, (_, i) => {
    const [emoji, name] = SAS_EMOJI[bits(i * 6, 6)]!;
    return { emoji, name };
  });
}

/** Three numbers 1000–9191 for a 6-byte SAS: the first 39 bits, 13 bits each, plus 1000. */
export function sasDecimal(sas: Uint8Array): [number, number, number] {
  const bits = bitsOf(sas);
  return [bits(0, 13) + 1000, bits(13, 13) + 1000, bits(26, 13) + 1000];
}
