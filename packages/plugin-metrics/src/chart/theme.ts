/**
 * Colours of the two chart themes: strong lines and large text, so a chart reads at chat-thumbnail size.
 * @module
 */

/** The colours of a theme. */
export interface ChartTheme {
  background: string;
  text: string;
  muted: string;
  grid: string;
  palette: string[];
}

export const themes: Record<"dark" | "light", ChartTheme> = {
  dark: {
    background: "#1b1e23",
    text: "#e6e6e6",
    muted: "#a8adb5",
    grid: "#343a42",
    palette: ["#4e9bff", "#ffb000", "#3ddc84", "#ff5c8a", "#b28dff", "#00d0d0", "#a3e635", "#d0d0d0"],
  },
  light: {
    background: "#ffffff",
    text: "#1f2328",
    muted: "#57606a",
    grid: "#e3e6ea",
    palette: ["#1f6feb", "#d97706", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#65a30d", "#4b5563"],
  },
};
