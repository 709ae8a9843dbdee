/** A progress bar on stderr, redrawn in place; shown only when stderr is a terminal. */
import process from "node:process";

/** Shows `done / total` for a named task. */
export class ProgressBar {
  private readonly live = process.stderr.isTTY === true;
  private last = -1;

  /** @param label what is in progress; @param total how many steps there are */
  constructor(private readonly label: string, private readonly total: number) {}

  /** Shows that `done` steps are finished. */
  update(done: number): void {
    if (!this.live) return;
    const percent = Math.floor((done / this.total) * 100);
    if (percent === this.last) return;
    this.last = percent;
    const width = 30;
    const filled = Math.round((done / this.total) * width);
    process.stderr.write(
      `\r${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${this.total}`,
    );
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.live && this.last >= 0) process.stderr.write("\n");
  }
}
