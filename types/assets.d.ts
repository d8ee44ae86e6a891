// Files the bundler embeds as text (`import x from '…' with { type: 'text' }`).
declare module '*.html' {
  const text: string;
  export default text;
}
declare module '*.css' {
  const text: string;
  export default text;
}
